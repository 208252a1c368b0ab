import type { Profile } from '../../electron/common/profile/schema';
import type { DiagnosisEvent, PlannedCheck } from '../../electron/common/report/progress';

/** Small pure formatters for the first screen; kept out of components so they are easy to test. */

export function formatRanges(ranges: ReadonlyArray<readonly [number, number]>): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}–${b}`)).join(', ');
}

const TRANSPORT_LABEL = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;

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
  if (p.turn.length) lines.push({ label: 'TURN', values: p.turn.map((t) => `${t.host}:${t.port} over ${TRANSPORT_LABEL[t.transport]}`) });
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

export type Tone = 'pass' | 'fail' | 'warn' | 'skipped' | 'info';

export interface EventLine {
  tone: Tone;
  text: string;
}

/** One line of the simple progress list (the live ladder view replaces it in a later issue). */
export function describeEvent(event: DiagnosisEvent, plan: readonly PlannedCheck[]): EventLine {
  switch (event.type) {
    case 'plan':
      return { tone: 'info', text: `Planned ${event.checks.length} checks` };
    case 'check': {
      const label = plan.find((c) => c.id === event.result.id)?.label ?? event.result.id;
      const rtt = event.result.rttMs !== undefined ? ` (${Math.round(event.result.rttMs)} ms)` : '';
      return { tone: event.result.status, text: `${label}: ${event.result.detail}${rtt}` };
    }
    case 'range': {
      const r = event.result;
      const tone: Tone = r.blocked.length === 0 ? 'pass' : r.allowed.length === 0 ? 'fail' : 'warn';
      const blocked = r.blocked.length ? `; blocked ${formatRanges(r.blocked)}` : '';
      return { tone, text: `${r.protocol.toUpperCase()} ports to ${r.host}: open ${formatRanges(r.allowed) || 'none'}${blocked}` };
    }
    case 'nat':
      return { tone: 'info', text: `NAT mapping ${event.result.mapping}, filtering ${event.result.filtering}` };
    case 'done':
      return { tone: 'pass', text: 'Diagnosis finished; the report is ready.' };
    case 'error':
      return { tone: event.error.code === 'cancelled' ? 'skipped' : 'fail', text: event.error.message };
  }
}
