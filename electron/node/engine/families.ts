import { FAMILY_LABEL, familyId, type Family } from '#common/report/family';
import type { HostFacts } from '#common/report/schema';
import { ipv6ScopeOf } from '../host/ipv6';
import type { CheckDescriptor, Plan, RangeDescriptor } from './check';

/**
 * Dual stack in the plan (docs/architecture.md, "Dual stack"): every network check and range is
 * planned over IPv4 (its id unchanged) and, when IPv6 may be usable, as an IPv6 twin (`id/v6`)
 * right after it. Once names have resolved the engine keeps only the variants that can run
 * (`settleFamilies`): a twin is withdrawn — not reported at all — when this machine has no usable
 * IPv6, when its name has no AAAA record, or when a proxy resolves the name for it.
 */
export function pinned<D extends CheckDescriptor | RangeDescriptor>(d: D, f: Family): D {
  return {
    ...d,
    id: familyId(d.id, f),
    family: f,
    ...(f === 6 ? { label: `${d.label} (${FAMILY_LABEL[6]})` } : {}),
  };
}

/** The variants of one check or range: IPv4, then its IPv6 twin when asked for. */
export function bothFamilies<D>(ipv6: boolean, build: (f: Family) => D): D[] {
  return ipv6 ? [build(4), build(6)] : [build(4)];
}

export interface FamilyFacts {
  /** This machine has a global (or ULA) IPv6 address and an IPv6 default route (host facts `ipv6.usable`). */
  ipv6Usable: boolean;
  /** A proxy carries the TCP/TLS rungs (it resolves their names, over whatever family it likes). */
  proxy: boolean;
  /** Whether `name` resolved to an address of `family` in this run. */
  has(name: string, family: Family): boolean;
}

function nameOf(d: CheckDescriptor | RangeDescriptor): string | undefined {
  return d.kind === 'range' ? d.host : (d.needs?.name ?? d.host);
}

/** Whether the IPv6 twin `d` can run here. */
function twinRuns(d: CheckDescriptor | RangeDescriptor, facts: FamilyFacts): boolean {
  if (!facts.ipv6Usable) return false;
  const name = nameOf(d);
  if (name === undefined || !facts.has(name, 6)) return false;
  return !(d.kind !== 'range' && d.needs?.proxyResolves && facts.proxy);
}

/**
 * The plan this machine and these names can run: IPv6 twins that cannot run are withdrawn, and an
 * IPv4 variant is withdrawn when its name has only IPv6 addresses and its twin runs (the name is an
 * IPv6-only server). Everything not pinned to a family is kept as it is.
 */
export function settleFamilies(plan: Plan, facts: FamilyFacts): Plan {
  const v6Ids = new Set(
    [...plan.checks, ...plan.ranges].filter((d) => d.family === 6 && twinRuns(d, facts)).map((d) => d.id),
  );
  const keep = (d: CheckDescriptor | RangeDescriptor): boolean => {
    if (d.family === 6) return v6Ids.has(d.id);
    if (d.family !== 4) return true;
    const name = nameOf(d);
    const onlyV6 = name !== undefined && !facts.has(name, 4) && facts.has(name, 6);
    return !(onlyV6 && v6Ids.has(familyId(d.id, 6)));
  };
  return { checks: plan.checks.filter(keep), ranges: plan.ranges.filter(keep) };
}

/**
 * Whether this machine can try IPv6: the host facts' verdict where they were read (Linux: a global
 * or ULA address and an IPv6 default route); elsewhere (the default route is not read there) a
 * global or ULA address outside loopback, which SLAAC and DHCPv6 hand out together with a route. A
 * machine with such an address and no route fails its twins at once (`unreachable`), which the
 * analysis reads as "no IPv6 here", not as a block.
 */
export function ipv6Usable(host: Pick<HostFacts, 'ipv6' | 'interfaces'> | undefined): boolean {
  if (!host) return false;
  if (host.ipv6) return host.ipv6.usable;
  return host.interfaces.some((i) =>
    i.addresses.some(
      (a) => a.family === 'IPv6' && !a.internal && ['global', 'ula'].includes(ipv6ScopeOf(a.address.split('%')[0]!)),
    ),
  );
}
