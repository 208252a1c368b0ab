import { RUNG_LABEL } from '../analysis/rungs';
import { formatRanges } from '../net/ranges';
import { FAMILY_LABEL } from './family';
import { failedChecksText, requirementFamily, verdictFamily } from './family-rows';
import type { HostFacts, Latency, MediaPath, Report, RoomType, Verdict } from './schema';

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
 * analysis already wrote one, so the wording stays the analysis' choice. Given the report, the
 * sentence names the address family where it matters (`verdictFamily`): "…, over IPv6 — …".
 */
export function describeVerdict(room: RoomType, verdict: Verdict, report?: Pick<Report, 'findings'>): string {
  const family = verdictFamily(report, verdict);
  const sentence = plainVerdict(room, verdict, family === null ? '' : `, over ${FAMILY_LABEL[family]}`);
  if (!verdict.summary?.trim()) return sentence;
  const own = verdict.summary.trim();
  if (family === null || own.includes(FAMILY_LABEL[family])) return own;
  return withFamily(own, `, over ${FAMILY_LABEL[family]}`);
}

/** Puts the family phrase before the sentence's " — " (what it costs), else before its final stop. */
function withFamily(sentence: string, phrase: string): string {
  const dash = sentence.indexOf(' — ');
  if (dash > 0) return `${sentence.slice(0, dash)}${phrase}${sentence.slice(dash)}`;
  return sentence.endsWith('.') ? `${sentence.slice(0, -1)}${phrase}.` : `${sentence}${phrase}`;
}

function plainVerdict(room: RoomType, verdict: Verdict, fam: string): string {
  const who = ROOM_LABEL[room];
  const port = viaPort(verdict.via);
  const on = (fallback: string) => ` on port ${port ?? fallback}${fam}`;
  const inferred = verdict.confidence === 'inferred' ? ' (inferred, not measured directly)' : '';
  const peer = room === 'group' ? 'the media server' : 'the other participant';
  switch (verdict.path) {
    case 'direct-udp':
      return `${who} will send media directly over UDP to ${peer}${fam} — optimal latency${inferred}.`;
    case 'direct-tcp':
      return `${who} will send media directly over TCP to ${peer}${fam} — low latency, but TCP can stall on a lossy network${inferred}.`;
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

/**
 * One line per blocked requirement, e.g. "UDP 10000-60000 to 10.0.0.0/24 (Group media) — blocked at
 * the network edge"; "UDP 3478 over IPv6 to …" when only IPv6 checks stand behind it.
 */
export function describeBlocked(b: Report['firewall']['blocked'][number]): string {
  const purpose = b.purpose ? ` (${b.purpose})` : '';
  const to = b.anyDestination ? ' to any address (the other participant)' : b.to.length ? ` to ${b.to.join(', ')}` : '';
  const over = requirementFamily(b) === 6 ? ` over ${FAMILY_LABEL[6]}` : '';
  return `${b.protocol.toUpperCase()} ${formatRanges(b.ports)}${over}${to}${purpose} — blocked at ${layerText(b.layer)}`;
}

const SCOPE_WORD = { global: 'global', ula: 'ULA', link: 'link-local', host: 'loopback', other: 'other' } as const;

/**
 * IPv6 on this machine in a few lines (the app's NAT card and the report's Machine section):
 * whether IPv6 can be used, its addresses with scope and temporary ("privacy", RFC 8981) flags,
 * the default route, and whether a VPN tunnel carries IPv6 or IPv6 leaves beside the VPN. Empty
 * when the report has no IPv6 facts (older reports, platforms where they were not read).
 */
export function ipv6FactLines(host: Pick<HostFacts, 'ipv6'>): string[] {
  const v6 = host.ipv6;
  if (!v6) return [];
  const lines: string[] = [];
  lines.push(
    v6.usable
      ? 'Usable: this machine has a global or ULA address and an IPv6 default route, so every check also ran over IPv6.'
      : 'Not usable: no global or ULA address with an IPv6 default route, so the checks ran over IPv4 only.',
  );
  const shown = v6.addresses.filter((a) => a.scope !== 'host').slice(0, 6);
  if (shown.length) {
    const words = shown.map((a) => {
      const flags = [SCOPE_WORD[a.scope], a.temporary ? 'temporary' : '', a.deprecated ? 'deprecated' : '']
        .filter(Boolean)
        .join(', ');
      return `${a.address} (${flags}) on ${a.iface}`;
    });
    const more = v6.addresses.length - shown.length;
    lines.push(`Addresses: ${words.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`);
  }
  if (v6.temporaryAddresses > 0)
    lines.push(
      `${v6.temporaryAddresses === 1 ? 'One temporary (privacy) address' : `${v6.temporaryAddresses} temporary (privacy) addresses`}: new connections leave from it, so a firewall that allows this machine by address must allow its prefix.`,
    );
  lines.push(
    v6.defaultRoute
      ? `Default route: ${v6.defaultRoute.gateway ? `via ${v6.defaultRoute.gateway} ` : ''}on ${v6.defaultRoute.iface}.`
      : 'No IPv6 default route.',
  );
  if (v6.tunnels.length) lines.push(`IPv6 goes through the VPN tunnel ${v6.tunnels.join(', ')}.`);
  if (v6.bypassesVpn) lines.push('The VPN carries IPv4 only: IPv6 leaves beside it, outside the VPN.');
  for (const n of v6.notes.slice(0, 4)) lines.push(n);
  return lines;
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
    lines.push(`- ${oneLine(describeVerdict(room, verdict, report), 240)}`);
  lines.push(`Checks: ${failedChecksText(report.checks)}.`);
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
