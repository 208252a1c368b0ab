import { intersectRanges, normalizeRanges, type PortRange } from '../net/ranges';
import { isHostname, isIPv4, isIPv6 } from '../net/validate';
import type { Profile } from '../profile/schema';
import { baseId } from '../report/family';
import type { Layer, Report } from '../report/schema';
import {
  assertValidInput,
  checkCheckId,
  checkCidr,
  checkHost,
  checkPort,
  checkPortRange,
  checkProfileId,
  checkPurpose,
  classifyDestination,
  LIMITS,
  normalizeHostname,
} from './input-check';
import { hasDest, mergeDrafts, type RequirementDraft as Draft } from './merge';
import { FIREWALL_TAG, FirewallInputError } from './types';
import type {
  FirewallInput,
  FirewallRequirement,
  IptablesVariant,
  NftChainHint,
  ProxyAddress,
  RelayHost,
} from './types';

/**
 * Turns a profile and a report into the smallest set of outbound allow requirements, validating
 * every value on the way in. This is the only entry from untrusted data into rule generation: it
 * throws `FirewallInputError` (naming the field) before any rule text exists.
 */

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

export interface BuildFirewallOptions {
  /** Where a local nftables drop lives (from detection); rules are inserted into that chain. */
  nft?: NftChainHint;
  /** Every chain that drops (from detection or the report's firewall.local); rules go into each. */
  nftChains?: NftChainHint[];
  /** Which iptables holds the drop (legacy / nft); absent = not known. */
  iptablesVariants?: IptablesVariant[];
  /** Overrides the proxy taken from `report.host.proxy` (PAC target). `null` = none. */
  proxy?: ProxyAddress | null;
  /** Only requirements blocked at these layers (default: all). */
  layers?: Layer[];
  /**
   * Clip every blocked port range to the ports the profile requires for that protocol (and
   * any-destination entries to the profile's peer-to-peer ranges); the elevated apply sets this.
   */
  requiredOnly?: boolean;
}

/** Ports the profile itself requires, per protocol (what an apply may open at most). */
export function requiredPorts(profile: Profile): Record<'udp' | 'tcp', PortRange[]> {
  const udp: PortRange[] = [];
  const tcp: PortRange[] = [];
  for (const t of profile.turn) (t.transport === 'udp' ? udp : tcp).push([t.port, t.port]);
  for (const s of profile.stun) udp.push([s.port, s.port]);
  for (const s of profile.signaling) tcp.push([s.port, s.port]);
  if (profile.group) udp.push(...profile.group.udpPorts);
  if (profile.p2p) {
    udp.push(...profile.p2p.udpPorts);
    tcp.push(...(profile.p2p.tcpPorts ?? []));
  }
  return { udp: normalizeRanges(udp), tcp: normalizeRanges(tcp) };
}

/** A proxy URL such as `http://proxy.corp:3128` → host and port; anything else is refused. */
export function parseProxyUrl(url: string, field = 'report.host.proxy.url'): ProxyAddress {
  const m = /^(?:https?:\/\/)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})\/?$/.exec(url);
  if (!m || m[1] === undefined || m[2] === undefined)
    throw new FirewallInputError(field, 'not a proxy URL of the form http://host:port');
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  const port = checkPort(Number(m[2]), field);
  // The proxy is where other traffic keeps going, not a rule destination: an intranet name
  // (`proxy:3128`) or an address is fine; only the grammar is checked.
  const okHost = m[1].startsWith('[') ? isIPv6(host) : isIPv4(host) || isHostname(host);
  if (!okHost) throw new FirewallInputError(field, 'not a host name or IP address');
  return { host, port };
}

/** A profile's server, validated (name or IP literal) and spelled as rules compare it. */
function serverHost(host: string, field: string): string {
  const h = checkHost(host, field);
  return isHostname(h) ? normalizeHostname(h) : h;
}

function relayHosts(profile: Profile): RelayHost[] {
  const byHost = new Map<string, RelayHost>();
  const seen = new Set<string>();
  const add = (rawHost: string, port: number, role: RelayHost['role'], field: string): void => {
    const host = serverHost(rawHost, `${field}.host`);
    checkPort(port, `${field}.port`);
    const key = `${role}#${host}`;
    const prev = byHost.get(key);
    if (prev) prev.ports = uniq([...prev.ports, port]).sort((a, b) => a - b);
    else byHost.set(key, { host, ports: [port], role });
    seen.add(host);
  };
  profile.turn.forEach((t, i) => {
    // UDP is never proxied; only TURN over TCP/TLS goes through CONNECT.
    if (t.transport !== 'udp') add(t.host, t.port, 'turn', `profile.turn[${i}]`);
  });
  profile.signaling.forEach((s, i) => add(s.host, s.port, 'signaling', `profile.signaling[${i}]`));
  // Keep TURN names in the list even when only reachable over UDP: PAC/squid still name them.
  profile.turn.forEach((t, i) => {
    if (t.transport !== 'udp') return;
    const host = serverHost(t.host, `profile.turn[${i}].host`);
    if (seen.has(host)) return;
    seen.add(host);
    byHost.set(`turn#${host}`, { host, ports: [], role: 'turn' });
  });
  return [...byHost.values()];
}

/** Keeps the parts of `ports` inside `allowed`; null when nothing is left. */
function clip(ports: readonly PortRange[], allowed: readonly PortRange[]): PortRange[] | null {
  const out = intersectRanges(ports, allowed);
  return out.length > 0 ? out : null;
}

/** What the rules may be widened to or clipped by: from a profile, or from the report alone. */
interface InputSource {
  profileId: string;
  v4: string[];
  v6: string[];
  required: Record<'udp' | 'tcp', PortRange[]>;
  p2pPorts: PortRange[];
  relayHosts: () => RelayHost[];
}

/** Builds the validated, merged input for `generateRules`. Throws `FirewallInputError` on any bad value. */
export function buildFirewallInput(
  profile: Profile,
  report: Report,
  options: BuildFirewallOptions = {},
): FirewallInput {
  return buildInput(
    {
      profileId: checkProfileId(profile.id, 'profile.id'),
      v4: uniq(profile.addresses.ipv4.map((c, i) => checkCidr(c, 4, `profile.addresses.ipv4[${i}]`))),
      v6: uniq(profile.addresses.ipv6.map((c, i) => checkCidr(c, 6, `profile.addresses.ipv6[${i}]`))),
      required: requiredPorts(profile),
      p2pPorts: profile.p2p ? normalizeRanges([...profile.p2p.udpPorts, ...(profile.p2p.tcpPorts ?? [])]) : [],
      relayHosts: () => relayHosts(profile),
    },
    report,
    options,
  );
}

/**
 * The same input from the report alone (no profile): destinations are the names and addresses the
 * report lists for each blocked requirement, the ports a profile would require are the ports the
 * report's own checks and measured ranges used, and the names a proxy must tunnel are the report's
 * TURN-over-TCP/TLS and signaling checks. Every value goes through the same checks as with a
 * profile, each error naming its field in the report.
 */
export function buildFirewallInputFromReport(report: Report, options: BuildFirewallOptions = {}): FirewallInput {
  const udp: PortRange[] = [];
  const tcp: PortRange[] = [];
  const p2p: PortRange[] = [];
  const checks = Array.isArray(report.checks) ? report.checks : [];
  const ranges = Array.isArray(report.ranges) ? report.ranges : [];
  checks.forEach((c, i) => {
    if (c.port === undefined || c.kind === 'dns' || c.kind === 'nat' || c.kind === 'webrtc') return;
    const port = checkPort(c.port, `checks[${i}].port`);
    (c.transport === 'udp' ? udp : tcp).push([port, port]);
  });
  ranges.forEach((r, i) => {
    if (r.protocol !== 'udp' && r.protocol !== 'tcp')
      throw new FirewallInputError(`ranges[${i}].protocol`, 'must be udp or tcp');
    const req = (Array.isArray(r.required) ? r.required : []).map((p, j) =>
      checkPortRange(p, `ranges[${i}].required[${j}]`),
    );
    (r.protocol === 'udp' ? udp : tcp).push(...req);
    // Every range but the group one is peer-to-peer, over either family (`udp-range:group/v6` is group media too).
    if (baseId(String(r.id)) !== 'udp-range:group') p2p.push(...req);
  });
  // A relay check that reached the relayed port stands for the media range it was listed with.
  report.firewall.blocked.forEach((b, i) => {
    if (
      b.protocol === 'udp' &&
      Array.isArray(b.checks) &&
      b.checks.some((c) => typeof c === 'string' && c.startsWith('relay:'))
    ) {
      (Array.isArray(b.ports) ? b.ports : []).forEach((p, j) =>
        udp.push(checkPortRange(p, `firewall.blocked[${i}].ports[${j}]`)),
      );
    }
  });
  return buildInput(
    {
      profileId: checkProfileId(report.profile?.id, 'profile.id'),
      v4: [],
      v6: [],
      required: { udp: normalizeRanges(udp), tcp: normalizeRanges(tcp) },
      p2pPorts: normalizeRanges(p2p),
      relayHosts: () => reportRelayHosts(report),
    },
    report,
    options,
  );
}

/** The TURN (TCP/TLS, and UDP-only names) and signaling names of a report's own checks. */
function reportRelayHosts(report: Report): RelayHost[] {
  const byHost = new Map<string, RelayHost>();
  const list = Array.isArray(report.checks) ? report.checks : [];
  list.forEach((c, i) => {
    const role: RelayHost['role'] | null = c.kind === 'turn' ? 'turn' : c.kind === 'tls' ? 'signaling' : null;
    if (!role || c.host === undefined || c.port === undefined) return;
    const host = serverHost(c.host, `checks[${i}].host`);
    const port = checkPort(c.port, `checks[${i}].port`);
    const key = `${role}#${host}`;
    const prev = byHost.get(key) ?? { host, ports: [], role };
    byHost.set(key, prev);
    if (c.transport !== 'udp' && !prev.ports.includes(port)) prev.ports = [...prev.ports, port].sort((a, b) => a - b);
  });
  // Relays first, then signaling, as for a profile.
  const out = [...byHost.values()];
  return [...out.filter((r) => r.role === 'turn'), ...out.filter((r) => r.role === 'signaling')];
}

function buildInput(src: InputSource, report: Report, options: BuildFirewallOptions): FirewallInput {
  const { profileId, v4, v6, p2pPorts } = src;
  const useProfile = v4.length + v6.length > 0;
  const required = options.requiredOnly ? src.required : null;

  const blocked = report.firewall.blocked;
  if (!Array.isArray(blocked)) throw new FirewallInputError('firewall.blocked', 'must be a list');
  if (blocked.length > LIMITS.blockedEntries) {
    throw new FirewallInputError(
      'firewall.blocked',
      `${blocked.length} entries; at most ${LIMITS.blockedEntries} (a real report lists a handful)`,
    );
  }
  const list = (xs: unknown, field: string): unknown[] => {
    if (xs === undefined) return [];
    if (!Array.isArray(xs)) throw new FirewallInputError(field, 'must be a list');
    if (xs.length > LIMITS.perEntryList)
      throw new FirewallInputError(field, `${xs.length} entries; at most ${LIMITS.perEntryList}`);
    return xs;
  };
  const drafts: Draft[] = [];
  blocked.forEach((b, i) => {
    const f = `firewall.blocked[${i}]`;
    if (b.protocol !== 'udp' && b.protocol !== 'tcp')
      throw new FirewallInputError(`${f}.protocol`, 'must be udp or tcp');
    const rawPorts = list(b.ports, `${f}.ports`);
    if (rawPorts.length === 0) throw new FirewallInputError(`${f}.ports`, 'needs at least one port range');
    let ports = normalizeRanges(rawPorts.map((p, j) => checkPortRange(p, `${f}.ports[${j}]`)));
    const dests = list(b.to, `${f}.to`).map((t, j) => classifyDestination(t, `${f}.to[${j}]`));
    const purposes = b.purpose === undefined ? [] : [checkPurpose(b.purpose, `${f}.purpose`)];
    const checks = list(b.checks, `${f}.checks`).map((c, j) => checkCheckId(c, `${f}.checks[${j}]`));
    const layer = b.layer ?? 'unknown';
    if (!['local', 'perimeter', 'proxy', 'unknown'].includes(layer))
      throw new FirewallInputError(`${f}.layer`, 'unknown layer');
    if (b.anyDestination !== undefined && typeof b.anyDestination !== 'boolean')
      throw new FirewallInputError(`${f}.anyDestination`, 'must be a boolean');
    if (options.layers && !options.layers.includes(layer)) return;
    if (required) {
      // Only what the profile requires: a port the profile never names is not opened, however the
      // report came to list it; any-destination only for the profile's own peer-to-peer ranges.
      const clipped = clip(
        ports,
        b.anyDestination ? intersectRanges(p2pPorts, required[b.protocol]) : required[b.protocol],
      );
      if (!clipped) return;
      ports = clipped;
    }
    const to = { 4: new Set<string>(), 6: new Set<string>(), host: new Set<string>() };
    for (const d of dests) to[d.kind].add(d.value);
    drafts.push({
      protocol: b.protocol,
      ports,
      // Peer-to-peer media goes to the other participant, wherever they are: no destination limit.
      ipv4: b.anyDestination ? [] : useProfile ? v4 : [...to[4]],
      ipv6: b.anyDestination ? [] : useProfile ? v6 : [...to[6]],
      hostnames: b.anyDestination ? [] : [...to.host],
      purposes,
      checks,
      layers: [layer],
    });
  });

  const merged = mergeDrafts(drafts);
  if (merged.length > LIMITS.requirements) {
    throw new FirewallInputError(
      'firewall.blocked',
      `these entries make ${merged.length} separate rules; at most ${LIMITS.requirements}`,
    );
  }
  const counters = { udp: 0, tcp: 0 };
  const requirements: FirewallRequirement[] = merged.map((d) => ({
    name: `${FIREWALL_TAG}-${d.protocol}-${++counters[d.protocol]}`,
    protocol: d.protocol,
    ports: d.ports,
    ipv4: d.ipv4,
    ipv6: d.ipv6,
    hostnames: d.hostnames,
    anyDestination: !hasDest(d),
    purposes: d.purposes,
    checks: d.checks,
    layer: d.layers.length === 1 ? (d.layers[0] ?? 'unknown') : 'unknown',
  }));
  requirements.forEach((r, i) => {
    const n = r.ipv4.length + r.ipv6.length + r.hostnames.length;
    if (n > LIMITS.destinationsPerRequirement) {
      throw new FirewallInputError(
        'firewall.blocked',
        `rule ${i + 1} (${r.protocol}) would list ${n} destinations; at most ${LIMITS.destinationsPerRequirement}`,
      );
    }
    if (r.checks.length > LIMITS.checksPerRequirement) {
      throw new FirewallInputError(
        'firewall.blocked',
        `rule ${i + 1} (${r.protocol}) would cite ${r.checks.length} checks; at most ${LIMITS.checksPerRequirement}`,
      );
    }
  });

  let proxy: ProxyAddress | null = null;
  if (options.proxy !== undefined) proxy = options.proxy;
  else if (report.host.proxy) proxy = parseProxyUrl(report.host.proxy.url);

  const input: FirewallInput = {
    tag: FIREWALL_TAG,
    profileId,
    layer: report.firewall.layer,
    requirements,
    relayHosts: src.relayHosts(),
    proxy,
    ...(options.nft ? { nft: options.nft } : {}),
    ...(options.nftChains?.length ? { nftChains: options.nftChains } : {}),
    ...(options.iptablesVariants?.length ? { iptablesVariants: options.iptablesVariants } : {}),
  };
  assertValidInput(input);
  return input;
}
