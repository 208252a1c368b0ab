import { intersectRanges } from '../net/ranges';
import type { Profile } from '../profile/schema';
import { BLOCK_REASONS } from '../report/reason';
import type { BlockedRequirement, CheckResult, Layer, RangeResult } from '../report/schema';
import { rangeId } from './ids';

/**
 * From failed checks and ranges to what a firewall must open: per protocol, ports and destination
 * (names with the addresses they resolved to), with the layer that refused it. The verdicts
 * (verdicts.ts) and the firewall rule generators read the same list.
 */
/** The layer a report names: the one every blocked requirement shares, else the one besides `unknown`. */
export function overallLayer(blocked: BlockedRequirement[]): Layer {
  const layers = new Set(blocked.map((b) => b.layer));
  if (layers.size === 1) return [...layers][0]!;
  if (layers.size > 1) {
    layers.delete('unknown');
    if (layers.size === 1) return [...layers][0]!;
  }
  return 'unknown';
}

const PURPOSE: Record<string, string> = {
  'turn:udp': 'TURN over UDP',
  'turn:tcp': 'TURN over TCP',
  'turn:tls': 'TURN over TLS',
  'stun:udp': 'STUN',
  'stun:tcp': 'STUN over TCP',
  tls: 'Signaling over TLS',
  tcp: 'TCP',
};

/** What the network refused, per protocol/port/destination, with the layer that refused it. */
export function blockedRequirements(
  profile: Profile,
  checks: CheckResult[],
  ranges: RangeResult[],
): BlockedRequirement[] {
  const out: BlockedRequirement[] = [];
  // Names plus the addresses they resolved to: targets that cannot match names use the addresses.
  const resolved = new Map<string, string[]>();
  for (const c of checks) {
    if (c.kind !== 'dns' || c.status !== 'pass' || !c.host) continue;
    const list = (c.evidence.addresses as Array<{ address?: unknown }> | undefined) ?? [];
    resolved.set(
      c.host,
      list.map((a) => a.address).filter((a): a is string => typeof a === 'string'),
    );
  }
  const dest = (hosts: string[]) => [...new Set(hosts.flatMap((h) => [h, ...(resolved.get(h) ?? [])]))];
  for (const c of checks) {
    if (c.status !== 'fail' || !BLOCK_REASONS.has(c.reason) || c.port === undefined || !c.host) continue;
    // Quality measurements only run over paths already shown to work: their failures are no firewall fact.
    if (c.kind === 'dns' || c.kind === 'webrtc' || c.kind === 'nat' || c.kind === 'quality') continue;
    if (c.kind === 'relay') {
      // Only a relay test that got as far as sending to the relayed port says anything about the
      // media ports (a failure at Allocate is the TURN port's, already listed), and a measured
      // range outranks it.
      const ports = profile.group?.udpPorts ?? profile.p2p?.udpPorts;
      const measured = ranges.some((r) => r.protocol === 'udp' && r.confidence === 'measured');
      if (ports && c.evidence.step === 'relay' && !measured) {
        out.push({
          protocol: 'udp',
          ports,
          to: dest([c.host]),
          purpose: 'Media, high UDP ports',
          checks: [c.id],
          layer: c.layer ?? 'unknown',
        });
      }
      continue;
    }
    const protocol = c.transport === 'udp' ? 'udp' : 'tcp';
    const key = c.kind === 'turn' || c.kind === 'stun' ? `${c.kind}:${c.transport}` : c.kind;
    out.push({
      protocol,
      ports: [[c.port, c.port]],
      to: dest([c.host]),
      purpose: PURPOSE[key] ?? c.kind,
      checks: [c.id],
      layer: c.layer ?? 'unknown',
    });
  }
  for (const r of ranges) {
    const blockedPart = intersectRanges(r.blocked, r.required);
    if (blockedPart.length === 0) continue;
    const to =
      r.id === rangeId.group && profile.group?.mediaServers.length
        ? profile.group.mediaServers.map((m) => m.host)
        : [r.host];
    if (r.id === rangeId.group) {
      out.push({
        protocol: r.protocol,
        ports: blockedPart,
        to: dest(to),
        purpose: 'Group media',
        checks: [r.id],
        layer: r.layer ?? 'unknown',
      });
    } else {
      // The reflector only stands in for the other participant, who can be anywhere.
      out.push({
        protocol: r.protocol,
        ports: blockedPart,
        to: [],
        anyDestination: true,
        purpose: 'Peer-to-peer media',
        checks: [r.id],
        layer: r.layer ?? 'unknown',
      });
    }
  }
  return mergeSame(out);
}

/** STUN and TURN/UDP on the same server port are one thing to open: one entry, both purposes. */
function mergeSame(list: BlockedRequirement[]): BlockedRequirement[] {
  const byKey = new Map<string, BlockedRequirement>();
  for (const b of list) {
    const key = JSON.stringify([b.protocol, b.ports, b.to, b.layer]);
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...b, checks: [...b.checks] });
      continue;
    }
    if (b.purpose && !prev.purpose?.split(', ').includes(b.purpose))
      prev.purpose = prev.purpose ? `${prev.purpose}, ${b.purpose}` : b.purpose;
    prev.checks.push(...b.checks);
  }
  return [...byKey.values()];
}
