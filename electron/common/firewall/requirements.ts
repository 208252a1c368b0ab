import { normalizeRanges, type PortRange } from '../net/ranges';
import type { Profile } from '../profile/schema';
import type { Layer, Report } from '../report/schema';
import {
  assertValidInput,
  checkCheckId,
  checkCidr,
  checkHostname,
  checkPort,
  checkPortRange,
  checkProfileId,
  checkPurpose,
  classifyDestination,
} from './input-check';
import { FIREWALL_TAG, FirewallInputError } from './types';
import type { FirewallInput, FirewallRequirement, NftChainHint, ProxyAddress, RelayHost } from './types';

/**
 * Turns a profile and a report into the smallest set of outbound allow requirements, validating
 * every value on the way in. This is the only entry from untrusted data into rule generation: it
 * throws `FirewallInputError` (naming the field) before any rule text exists.
 */

export interface BuildFirewallOptions {
  /** Where a local nftables drop lives (from detection); rules are inserted into that chain. */
  nft?: NftChainHint;
  /** Overrides the proxy taken from `report.host.proxy` (PAC target). `null` = none. */
  proxy?: ProxyAddress | null;
  /** Only requirements blocked at these layers (default: all). */
  layers?: Layer[];
}

interface Draft {
  protocol: 'udp' | 'tcp';
  ports: PortRange[];
  ipv4: string[];
  ipv6: string[];
  hostnames: string[];
  purposes: string[];
  checks: string[];
  layers: Layer[];
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
/** Rules with address ranges are keyed by them alone (names are then only informative); otherwise by names. */
const destKey = (d: Draft): string =>
  d.ipv4.length + d.ipv6.length > 0 ? `ip|${d.ipv4.join(',')}|${d.ipv6.join(',')}` : `host|${d.hostnames.join(',')}`;
const portKey = (d: Draft): string => d.ports.map(([a, b]) => `${a}-${b}`).join(',');

function mergeBy(drafts: Draft[], key: (d: Draft) => string, merge: (into: Draft, d: Draft) => void): Draft[] {
  const out = new Map<string, Draft>();
  for (const d of drafts) {
    const k = `${d.protocol}#${key(d)}`;
    const prev = out.get(k);
    if (prev) merge(prev, d);
    else out.set(k, { ...d });
  }
  return [...out.values()];
}

function joinMeta(into: Draft, d: Draft): void {
  into.purposes = uniq([...into.purposes, ...d.purposes]);
  into.checks = uniq([...into.checks, ...d.checks]);
  into.layers = uniq([...into.layers, ...d.layers]);
}

/** A proxy URL such as `http://proxy.corp:3128` → host and port; anything else is refused. */
export function parseProxyUrl(url: string, field = 'report.host.proxy.url'): ProxyAddress {
  const m = /^(?:https?:\/\/)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})\/?$/.exec(url);
  if (!m || m[1] === undefined || m[2] === undefined) throw new FirewallInputError(field, 'not a proxy URL of the form http://host:port');
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  const port = checkPort(Number(m[2]), field);
  if (m[1].startsWith('[')) checkCidr(host, 6, field);
  else checkHostname(host, field);
  return { host, port };
}

function relayHosts(profile: Profile): RelayHost[] {
  const byHost = new Map<string, RelayHost>();
  const add = (host: string, port: number, role: RelayHost['role'], field: string): void => {
    checkHostname(host, `${field}.host`);
    checkPort(port, `${field}.port`);
    const key = `${role}#${host}`;
    const prev = byHost.get(key);
    if (prev) prev.ports = uniq([...prev.ports, port]).sort((a, b) => a - b);
    else byHost.set(key, { host, ports: [port], role });
  };
  profile.turn.forEach((t, i) => {
    // UDP is never proxied; only TURN over TCP/TLS goes through CONNECT.
    if (t.transport !== 'udp') add(t.host, t.port, 'turn', `profile.turn[${i}]`);
  });
  profile.signaling.forEach((s, i) => add(s.host, s.port, 'signaling', `profile.signaling[${i}]`));
  // Keep TURN names in the list even when only reachable over UDP: PAC/squid still name them.
  profile.turn.forEach((t, i) => {
    if (t.transport === 'udp' && ![...byHost.values()].some((h) => h.host === t.host)) {
      checkHostname(t.host, `profile.turn[${i}].host`);
      byHost.set(`turn#${t.host}`, { host: t.host, ports: [], role: 'turn' });
    }
  });
  return [...byHost.values()];
}

/** Builds the validated, merged input for `generateRules`. Throws `FirewallInputError` on any bad value. */
export function buildFirewallInput(profile: Profile, report: Report, options: BuildFirewallOptions = {}): FirewallInput {
  const profileId = checkProfileId(profile.id, 'profile.id');
  const v4 = uniq(profile.addresses.ipv4.map((c, i) => checkCidr(c, 4, `profile.addresses.ipv4[${i}]`)));
  const v6 = uniq(profile.addresses.ipv6.map((c, i) => checkCidr(c, 6, `profile.addresses.ipv6[${i}]`)));
  const useProfile = v4.length + v6.length > 0;

  const drafts: Draft[] = [];
  report.firewall.blocked.forEach((b, i) => {
    const f = `firewall.blocked[${i}]`;
    if (b.protocol !== 'udp' && b.protocol !== 'tcp') throw new FirewallInputError(`${f}.protocol`, 'must be udp or tcp');
    if (!Array.isArray(b.ports) || b.ports.length === 0) throw new FirewallInputError(`${f}.ports`, 'needs at least one port range');
    const ports = normalizeRanges(b.ports.map((p, j) => checkPortRange(p, `${f}.ports[${j}]`)));
    const dests = (b.to ?? []).map((t, j) => classifyDestination(t, `${f}.to[${j}]`));
    const purposes = b.purpose === undefined ? [] : [checkPurpose(b.purpose, `${f}.purpose`)];
    const checks = (b.checks ?? []).map((c, j) => checkCheckId(c, `${f}.checks[${j}]`));
    const layer = b.layer ?? 'unknown';
    if (!['local', 'perimeter', 'proxy', 'unknown'].includes(layer)) throw new FirewallInputError(`${f}.layer`, 'unknown layer');
    if (options.layers && !options.layers.includes(layer)) return;
    drafts.push({
      protocol: b.protocol,
      ports,
      // Peer-to-peer media goes to the other participant, wherever they are: no destination limit.
      ipv4: b.anyDestination ? [] : useProfile ? v4 : uniq(dests.filter((d) => d.kind === 4).map((d) => d.value)),
      ipv6: b.anyDestination ? [] : useProfile ? v6 : uniq(dests.filter((d) => d.kind === 6).map((d) => d.value)),
      hostnames: b.anyDestination ? [] : uniq(dests.filter((d) => d.kind === 'host').map((d) => d.value)),
      purposes,
      checks,
      layers: [layer],
    });
  });

  // Pass 1: same protocol and destinations → one rule with the union of ports.
  let merged = mergeBy(drafts, destKey, (into, d) => {
    into.ports = normalizeRanges([...into.ports, ...d.ports]);
    into.hostnames = uniq([...into.hostnames, ...d.hostnames]);
    joinMeta(into, d);
  });
  // Pass 2: same protocol and ports → one rule with the union of destinations.
  merged = mergeBy(merged, portKey, (into, d) => {
    const anyInto = into.ipv4.length + into.ipv6.length + into.hostnames.length === 0;
    const anyD = d.ipv4.length + d.ipv6.length + d.hostnames.length === 0;
    if (anyInto || anyD) {
      into.ipv4 = [];
      into.ipv6 = [];
      into.hostnames = [];
    } else {
      into.ipv4 = uniq([...into.ipv4, ...d.ipv4]);
      into.ipv6 = uniq([...into.ipv6, ...d.ipv6]);
      into.hostnames = uniq([...into.hostnames, ...d.hostnames]);
    }
    joinMeta(into, d);
  });

  const counters = { udp: 0, tcp: 0 };
  const requirements: FirewallRequirement[] = merged.map((d) => ({
    name: `${FIREWALL_TAG}-${d.protocol}-${++counters[d.protocol]}`,
    protocol: d.protocol,
    ports: d.ports,
    ipv4: d.ipv4,
    ipv6: d.ipv6,
    hostnames: d.hostnames,
    anyDestination: d.ipv4.length + d.ipv6.length + d.hostnames.length === 0,
    purposes: d.purposes,
    checks: d.checks,
    layer: d.layers.length === 1 ? (d.layers[0] ?? 'unknown') : 'unknown',
  }));

  let proxy: ProxyAddress | null = null;
  if (options.proxy !== undefined) proxy = options.proxy;
  else if (report.host.proxy) proxy = parseProxyUrl(report.host.proxy.url);

  const input: FirewallInput = {
    tag: FIREWALL_TAG,
    profileId,
    layer: report.firewall.layer,
    requirements,
    relayHosts: relayHosts(profile),
    proxy,
    ...(options.nft ? { nft: options.nft } : {}),
  };
  assertValidInput(input);
  return input;
}
