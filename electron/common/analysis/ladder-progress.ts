import { coversAll } from '../net/ranges';
import type { Profile } from '../profile/schema';
import type { PlannedCheck } from '../report/progress';
import type { CheckResult, NatResult, P2pPath, RangeResult, RoomType } from '../report/schema';
import { rangeId } from './ids';
import { v6Id } from '../report/family';
import { GROUP_RUNGS, P2P_RUNGS, RUNG_LABEL } from './rungs';

export type RungState = 'pending' | 'pass' | 'fail' | 'n/a';
export interface RungProgress {
  rung: P2pPath;
  label: string;
  state: RungState;
}

/**
 * The live ladder: for each room type, each rung's state as results stream in. A rung is `pass` as
 * soon as one of its checks shows it works, `fail` once all of them are in and none did, `n/a` when
 * the profile gives nothing to test it with. The final verdict still comes from `analyze`.
 */
export function ladderProgress(
  profile: Profile,
  rooms: RoomType[],
  planned: PlannedCheck[],
  checks: ReadonlyMap<string, CheckResult>,
  ranges: readonly RangeResult[],
  nat: NatResult | null,
): Partial<Record<RoomType, RungProgress[]>> {
  const turnState = (transport: 'udp' | 'tcp' | 'tls'): RungState => {
    const ids = planned.filter((p) => p.kind === 'turn' && p.transport === transport).map((p) => p.id);
    if (ids.length === 0) return 'n/a';
    const rs = ids.map((id) => checks.get(id));
    if (rs.some((r) => r?.status === 'pass')) return 'pass';
    return rs.every((r) => r !== undefined) ? 'fail' : 'pending';
  };
  const rangeState = (id: string, required: Array<[number, number]> | undefined): RungState => {
    if (!required) return 'n/a';
    // The range over each family planned (its IPv6 twin `…/v6` too): open over either one is a pass.
    const ids = [id, v6Id(id)].filter((x) => planned.some((p) => p.id === x));
    if (ids.length) {
      const rs = ids.map((x) => ranges.find((r) => r.id === x));
      if (rs.some((r) => r && coversAll(r.allowed, required))) return 'pass';
      return rs.every((r) => r !== undefined) ? 'fail' : 'pending';
    }
    const relay = planned.filter((p) => p.kind === 'relay').map((p) => checks.get(p.id));
    if (relay.length === 0) return 'n/a';
    if (relay.some((r) => r?.status === 'pass')) return 'pass';
    return relay.every((r) => r !== undefined) ? 'fail' : 'pending';
  };
  const natGate = (s: RungState): RungState => {
    if (s !== 'pass') return s;
    if (!nat) return planned.some((p) => p.kind === 'nat') ? 'pending' : s;
    return nat.behaveCompliant === false ? 'fail' : s;
  };
  const base: Record<string, RungState> = {
    'turn-udp': turnState('udp'),
    'turn-tcp': turnState('tcp'),
    'turn-tls': turnState('tls'),
  };
  const out: Partial<Record<RoomType, RungProgress[]>> = {};
  if (rooms.includes('group') && profile.group) {
    const states: Record<string, RungState> = {
      ...base,
      'direct-udp': rangeState(rangeId.group, profile.group.udpPorts),
    };
    out.group = GROUP_RUNGS.map((rung) => ({ rung, label: RUNG_LABEL[rung], state: states[rung] ?? 'n/a' }));
  }
  if (rooms.includes('p2p') && profile.p2p) {
    const states: Record<string, RungState> = {
      ...base,
      'direct-udp': natGate(rangeState(rangeId.p2pUdp, profile.p2p.udpPorts)),
      'direct-tcp':
        profile.p2p.tcpPorts && planned.some((p) => p.id === rangeId.p2pTcp)
          ? natGate(rangeState(rangeId.p2pTcp, profile.p2p.tcpPorts))
          : 'n/a',
    };
    out.p2p = P2P_RUNGS.map((rung) => ({ rung, label: RUNG_LABEL[rung], state: states[rung] ?? 'n/a' }));
  }
  return out;
}
