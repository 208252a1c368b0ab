import { checkId, rangeId } from '../../common/analysis/ids';
import type { Profile } from '../../common/profile/schema';
import type { PlannedCheck } from '../../common/report/progress';
import type { RoomType } from '../../common/report/schema';

const T_LABEL = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;

export interface PlanOptions {
  rooms: RoomType[];
  hasCredentials: boolean;
}

/**
 * The list of checks a profile implies, in the order a person reads them: names, signaling, STUN,
 * TURN per transport, the relay proof, NAT, then the port ranges. The engine runs them; the live
 * views show this list first and tick items off as results arrive.
 */
export function planChecks(profile: Profile, opts: PlanOptions): PlannedCheck[] {
  const out: PlannedCheck[] = [];
  const hosts = new Set<string>();
  const addHost = (h: string) => hosts.add(h);
  profile.signaling.forEach((s) => addHost(s.host));
  profile.stun.forEach((s) => addHost(s.host));
  profile.turn.forEach((s) => addHost(s.host));
  profile.group?.mediaServers.forEach((m) => addHost(m.host));
  if (profile.reflector) addHost(profile.reflector.host);
  for (const h of hosts) out.push({ id: checkId.dns(h), kind: 'dns', label: `Resolve ${h}` });
  for (const s of profile.signaling) out.push({ id: checkId.tls(s.host, s.port), kind: 'tls', label: `Signaling TLS ${s.host}:${s.port}` });
  for (const s of profile.stun) out.push({ id: checkId.stun('udp', s.host, s.port), kind: 'stun', label: `STUN over UDP ${s.host}:${s.port}` });
  for (const t of profile.turn) {
    out.push({ id: checkId.turn(t.transport, t.host, t.port), kind: 'turn', label: `TURN over ${T_LABEL[t.transport]} ${t.host}:${t.port}` });
  }
  const udpTurn = profile.turn.find((t) => t.transport === 'udp');
  if (udpTurn && opts.hasCredentials) {
    out.push({ id: checkId.relay(udpTurn.host, udpTurn.port), kind: 'relay', label: `High UDP port through the relay ${udpTurn.host}` });
  }
  const nat = natTarget(profile);
  if (nat) out.push({ id: checkId.nat(nat.host, nat.port), kind: 'nat', label: `NAT behaviour via ${nat.host}:${nat.port}` });
  if (profile.reflector) {
    if (opts.rooms.includes('group') && profile.group) out.push({ id: rangeId.group, kind: 'range', label: `Group media UDP ports` });
    if (opts.rooms.includes('p2p') && profile.p2p) {
      out.push({ id: rangeId.p2pUdp, kind: 'range', label: 'Peer-to-peer UDP ports' });
      if (profile.p2p.tcpPorts) out.push({ id: rangeId.p2pTcp, kind: 'range', label: 'Peer-to-peer TCP ports' });
    }
  }
  return out;
}

/** The UDP STUN endpoint used for NAT discovery: the first STUN server, else the first UDP TURN server. */
export function natTarget(profile: Profile): { host: string; port: number } | undefined {
  return profile.stun[0] ?? profile.turn.find((t) => t.transport === 'udp');
}

/**
 * A second UDP STUN endpoint for the NAT fallback (compare mapped ports towards two destinations)
 * when the first server has no RFC 5780 support: another STUN server, or a UDP TURN server elsewhere.
 */
export function natSecondary(profile: Profile): { host: string; port: number } | undefined {
  const first = natTarget(profile);
  const candidates = [...profile.stun, ...profile.turn.filter((t) => t.transport === 'udp')];
  return candidates.find((c) => first && (c.host !== first.host || c.port !== first.port));
}
