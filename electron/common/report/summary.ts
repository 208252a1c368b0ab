import { RUNG_LABEL } from '../analysis/rungs';
import { formatRanges } from '../net/ranges';
import type { Latency, MediaPath, Report, RoomType, Verdict } from './schema';

/**
 * Plain-language sentences about a report. The HTML/PDF report, the CLI and the app all word
 * verdicts the same way because they all take their sentences from here.
 */

const ROOM_LABEL: Record<RoomType, string> = { group: 'Group calls', p2p: 'Peer-to-peer calls' };

/** "Group calls" / "Peer-to-peer calls": the subject of every verdict sentence. */
export function roomLabel(room: RoomType): string {
  return ROOM_LABEL[room];
}

/** Short name of a path for tables and diagrams, e.g. "TURN over TLS" (the ladder's RUNG_LABEL). */
export function pathLabel(path: MediaPath): string {
  return RUNG_LABEL[path];
}

/** What the latency class means for a call, in words a helpdesk can repeat to a user. */
export function latencyText(latency: Latency): string {
  switch (latency) {
    case 'optimal':
      return 'optimal latency (no relay in the media path)';
    case 'marginal':
      return 'marginal latency (the relay adds less than 50 ms)';
    case 'high':
      return 'high latency (the relay adds more than 50 ms, and TCP retransmissions cause stalls on a lossy network)';
    case 'none':
      return 'no media path at all';
  }
}

/** Port part of a `via` ("turn.example.com:443" → "443"), when there is one. */
function viaPort(via: string | undefined): string | null {
  if (!via) return null;
  const m = /:(\d{1,5})$/.exec(via);
  return m ? m[1]! : null;
}

/**
 * One sentence for one room type's verdict, e.g. "Group calls will relay through TURN over TLS on
 * port 443 — expect more than 50 ms extra delay." Uses the verdict's own `summary` when the
 * analysis already wrote one, so the wording stays the analysis' choice.
 */
export function describeVerdict(room: RoomType, verdict: Verdict): string {
  if (verdict.summary && verdict.summary.trim()) return verdict.summary.trim();
  const who = ROOM_LABEL[room];
  const port = viaPort(verdict.via);
  const on = (fallback: string) => ` on port ${port ?? fallback}`;
  const inferred = verdict.confidence === 'inferred' ? ' (inferred, not measured directly)' : '';
  const peer = room === 'group' ? 'the media server' : 'the other participant';
  switch (verdict.path) {
    case 'direct-udp':
      return `${who} will send media directly over UDP to ${peer} — optimal latency${inferred}.`;
    case 'direct-tcp':
      return `${who} will send media directly over TCP to ${peer} — low latency, but TCP can stall on a lossy network${inferred}.`;
    case 'turn-udp':
      return `${who} will relay through TURN over UDP${on('3478')} — expect less than 50 ms extra delay${inferred}.`;
    case 'turn-tcp':
      return `${who} will relay through TURN over TCP${on('3478')} — expect more than 50 ms extra delay${inferred}.`;
    case 'turn-tls':
      return `${who} will relay through TURN over TLS${on('443')} — expect more than 50 ms extra delay${inferred}.`;
    case 'blocked':
      return `${who} will not work from this network: every media path is blocked${inferred}.`;
  }
}

/** Verdicts present in the report, in a fixed order (group first). */
export function reportVerdicts(report: Report): { room: RoomType; verdict: Verdict }[] {
  const out: { room: RoomType; verdict: Verdict }[] = [];
  if (report.verdicts.group) out.push({ room: 'group', verdict: report.verdicts.group });
  if (report.verdicts.p2p) out.push({ room: 'p2p', verdict: report.verdicts.p2p });
  return out;
}

/** "this machine's firewall" / "the network edge" …: where a block sits, in words. */
export function layerText(layer: string): string {
  switch (layer) {
    case 'local':
      return "this machine's own firewall";
    case 'perimeter':
      return 'the network edge (perimeter firewall)';
    case 'proxy':
      return 'the proxy';
    default:
      return 'an unknown layer';
  }
}

/** One line per blocked requirement, e.g. "UDP 10000-60000 to 10.0.0.0/24 (Group media) — blocked at the network edge". */
export function describeBlocked(b: Report['firewall']['blocked'][number]): string {
  const purpose = b.purpose ? ` (${b.purpose})` : '';
  const to = b.anyDestination ? ' to any address (the other participant)' : b.to.length ? ` to ${b.to.join(', ')}` : '';
  return `${b.protocol.toUpperCase()} ${formatRanges(b.ports)}${to}${purpose} — blocked at ${layerText(b.layer)}`;
}

/** Replaces control characters (incl. newlines) so one report field can never add lines to a ticket. */
function oneLine(s: string, max = 200): string {
  const flat = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A short plain-text summary to paste into a ticket (at most 15 lines): profile, time, both
 * verdicts, what is blocked and at which layer, and the most severe findings.
 */
export function summarizeReport(report: Report): string {
  const lines: string[] = [];
  lines.push(
    `Pathcheck ${oneLine(report.tool.version, 40)} — ${oneLine(report.profile.name, 80)} (${oneLine(report.profile.id, 40)})`,
  );
  const host = report.host.hostname ? ` on ${oneLine(report.host.hostname, 80)}` : '';
  lines.push(
    `Run ${oneLine(report.startedAt, 40)}${host}, ${(report.durationMs / 1000).toFixed(1)} s${report.complete ? '' : ' (incomplete: cut short)'}`,
  );
  for (const { room, verdict } of reportVerdicts(report))
    lines.push(`- ${oneLine(describeVerdict(room, verdict), 240)}`);
  const blocked = report.firewall.blocked;
  if (blocked.length === 0) {
    lines.push('Blocked: nothing required was found blocked.');
  } else {
    lines.push(`Blocked — mostly at ${layerText(report.firewall.layer)}:`);
    const shown = blocked.slice(0, 4);
    for (const b of shown) lines.push(`- ${oneLine(describeBlocked(b), 240)}`);
    if (blocked.length > shown.length) lines.push(`- … and ${blocked.length - shown.length} more`);
  }
  const rank = { error: 0, warn: 1, info: 2 } as const;
  const findings = [...report.findings].sort((a, b) => rank[a.severity] - rank[b.severity]);
  const room = 15 - lines.length - 1;
  if (findings.length && room > 0) {
    lines.push('Findings:');
    for (const f of findings.slice(0, room)) lines.push(`- [${f.severity}] ${oneLine(f.message, 240)}`);
  }
  return lines.slice(0, 15).join('\n');
}
