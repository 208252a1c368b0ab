import { formatRanges as formatPortRanges, type PortRange } from '#common/net/ranges';
import type { Profile } from '#common/profile/schema';
import { TRANSPORT_LABEL } from '#common/report/kinds';

/** Small pure formatters for the first screen; kept out of components so they are easy to test. */

/** Port ranges as the first screen prints them, with an en dash: "10000–60000". */
const formatRanges = (ranges: readonly PortRange[]): string => formatPortRanges(ranges, '–');

export interface ProfileLine {
  label: string;
  /** One entry per endpoint or port set, shown one per line. */
  values: string[];
}

/** What a profile asks the network for, one line per kind of endpoint, for the details panel. */
export function profileLines(p: Profile): ProfileLine[] {
  const lines: ProfileLine[] = [];
  const hosts = (list: ReadonlyArray<{ host: string; port: number }>) => list.map((e) => `${e.host}:${e.port}`);
  if (p.signaling.length) lines.push({ label: 'Signaling (TLS)', values: hosts(p.signaling) });
  if (p.stun.length) lines.push({ label: 'STUN (UDP)', values: hosts(p.stun) });
  if (p.turn.length)
    lines.push({
      label: 'TURN',
      values: p.turn.map((t) => `${t.host}:${t.port} over ${TRANSPORT_LABEL[t.transport]}`),
    });
  if (p.group) lines.push({ label: 'Group media', values: [`UDP ${formatRanges(p.group.udpPorts)}`] });
  if (p.p2p) {
    const values = [`UDP ${formatRanges(p.p2p.udpPorts)}`];
    if (p.p2p.tcpPorts) values.push(`TCP ${formatRanges(p.p2p.tcpPorts)}`);
    lines.push({ label: 'Peer-to-peer media', values });
  }
  return lines;
}

/** The room types a profile covers, in the order the UI lists them. */
export function profileRooms(p: Profile): Array<'group' | 'p2p'> {
  return [...(p.group ? (['group'] as const) : []), ...(p.p2p ? (['p2p'] as const) : [])];
}
