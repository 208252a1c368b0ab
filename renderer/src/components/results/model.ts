import { formatRanges, normalizeRanges, rangeSize, subtractRanges, type PortRange } from '#common/net/ranges';
import { rangeId, webrtcTestOf } from '#common/analysis/ids';
import { CHECK_KINDS, TRANSPORT_LABEL, type CheckSection } from '#common/report/kinds';
import { baseId, FAMILY_LABEL, familyOf, type Family } from '#common/report/family';
import { groupByFamily, type FamilyRow } from '#common/report/family-rows';
import type { CheckResult, NatType, RangeResult, Report } from '#common/report/schema';

/**
 * Pure view models for the results view: what each chart draws, computed from a report so the
 * components stay thin and the numbers are unit-testable. Plain-language verdict sentences come
 * from common/report/summary.ts, never from here.
 */

export type Tone = 'pass' | 'fail' | 'warn' | 'skipped';

const WEBRTC_TEST_LABEL = {
  relay: 'WebRTC relay',
  'relay-gather': 'WebRTC gathering',
  'stun-gather': 'WebRTC gathering',
  direct: 'WebRTC direct',
} as const;

/** "TURN over TLS turn.example.com:443", "WebRTC relay over UDP …", "DNS sig.example.com". */
export function checkLabel(c: CheckResult): string {
  const where = c.host ? `${c.host}${c.port !== undefined ? `:${c.port}` : ''}` : c.id;
  const over = c.transport ? ` over ${TRANSPORT_LABEL[c.transport]}` : '';
  if (c.kind === 'webrtc') {
    const test = webrtcTestOf(c) ?? 'direct';
    if (test === 'direct' && !c.host) return 'WebRTC direct connection (host/srflx)';
    return `${WEBRTC_TEST_LABEL[test]}${test === 'stun-gather' ? ' via STUN' : over} ${where}`;
  }
  return `${CHECK_KINDS[c.kind]?.label ?? c.kind}${over} ${where}`;
}

export interface LatencyRow {
  id: string;
  label: string;
  status: Tone;
  /** Round-trip time in ms, or null when the check had no answer. */
  rttMs: number | null;
  /** Bar width as a fraction of the widest bar (0..1). */
  fraction: number;
  /** Shown instead of a bar when there is no RTT: the reason code. */
  reason: string;
  /** Extra measurements of a WebRTC relay stream (jitter, loss), when present. */
  extra?: string;
  /** 6 for an IPv6 twin, drawn right under its IPv4 bar. */
  family: Family;
}
export interface LatencyGroup {
  transport: 'udp' | 'tcp' | 'tls';
  label: string;
  rows: LatencyRow[];
}

const PATH_KINDS = new Set(['stun', 'turn', 'relay', 'webrtc']);

/** Latency bars per path: STUN/TURN/relay probes and the WebRTC checks, grouped by transport; IPv6 under IPv4. */
export function latencyGroups(report: Report): LatencyGroup[] {
  const checks = groupByFamily(report.checks.filter((c) => PATH_KINDS.has(c.kind) && c.transport)).flatMap((r) =>
    r.v6 ? [r.main, r.v6] : [r.main],
  );
  const max = Math.max(10, ...checks.map((c) => c.rttMs ?? 0));
  const groups: LatencyGroup[] = [];
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    const rows = checks
      .filter((c) => c.transport === transport)
      .map((c): LatencyRow => {
        const stream = c.evidence.stream as { jitterMs?: number; lossPct?: number } | undefined;
        const extra =
          stream && typeof stream.jitterMs === 'number' && typeof stream.lossPct === 'number'
            ? `jitter ${fmtMs(stream.jitterMs)}, loss ${stream.lossPct.toFixed(1)} %`
            : undefined;
        const family = familyOf(c);
        return {
          id: c.id,
          label: family === 6 ? `${FAMILY_LABEL[6]} · ${checkLabel(c)}` : checkLabel(c),
          family,
          status: c.status,
          rttMs: c.rttMs ?? null,
          fraction: c.rttMs !== undefined ? Math.max(0.01, c.rttMs / max) : 0,
          reason: c.reason,
          ...(extra ? { extra } : {}),
        };
      });
    if (rows.length) groups.push({ transport, label: TRANSPORT_LABEL[transport], rows });
  }
  return groups;
}

export interface StripSegment {
  kind: 'allowed' | 'blocked' | 'untested';
  from: number;
  to: number;
  x: number;
  width: number;
}
export interface StripModel {
  id: string;
  title: string;
  lo: number;
  hi: number;
  segments: StripSegment[];
  /** Port labels along the strip, as fractions 0..1 of its width. */
  ticks: Array<{ port: number; x: number }>;
  allowedText: string;
  blockedText: string;
  untestedText: string;
  allowedPct: number;
  blockedPct: number;
  meta: string;
  notes: string[];
}

const RANGE_TITLE: Record<string, string> = {
  [rangeId.group]: 'Group media — UDP',
  [rangeId.p2pUdp]: 'Peer-to-peer — UDP',
  [rangeId.p2pTcp]: 'Peer-to-peer — TCP',
};

/** The range strip: allowed / blocked / untested sub-ranges of the required span, as fractions. */
export function stripModel(r: RangeResult): StripModel {
  const required = normalizeRanges(r.required as PortRange[]);
  const lo = required.length ? required[0]![0] : 0;
  const hi = required.length ? required[required.length - 1]![1] : 65535;
  const span = Math.max(1, hi - lo + 1);
  const clip = (rs: readonly PortRange[]) =>
    normalizeRanges(rs)
      .map(([a, b]) => [Math.max(a, lo), Math.min(b, hi)] as PortRange)
      .filter(([a, b]) => a <= b);
  const allowed = clip(r.allowed as PortRange[]);
  const blocked = clip(r.blocked as PortRange[]);
  const untested = subtractRanges(subtractRanges(required, allowed), blocked);
  const seg = (kind: StripSegment['kind'], rs: PortRange[]) =>
    rs.map(([a, b]): StripSegment => ({ kind, from: a, to: b, x: (a - lo) / span, width: (b - a + 1) / span }));
  const segments = [...seg('untested', untested), ...seg('allowed', allowed), ...seg('blocked', blocked)];
  const boundaries = [...new Set([lo, hi, ...allowed.flat(), ...blocked.flat()])].sort((a, b) => a - b);
  const ticks: Array<{ port: number; x: number }> = [];
  const MIN_GAP = 0.09;
  for (const port of boundaries) {
    const x = (port - lo) / span;
    if (port === hi) {
      while (ticks.length > 1 && 1 - ticks[ticks.length - 1]!.x < MIN_GAP) ticks.pop();
      ticks.push({ port, x: 1 });
    } else if (!ticks.length || x - ticks[ticks.length - 1]!.x >= MIN_GAP) {
      ticks.push({ port, x });
    }
  }
  const total = Math.max(1, rangeSize(required));
  const meta = [
    `${r.probes} probes`,
    r.resolution <= 1 ? 'exact boundaries' : `boundaries within ±${r.resolution} ports`,
    r.confidence === 'inferred' ? 'inferred' : 'measured',
    ...(r.layer && blocked.length
      ? [`blocked at ${r.layer === 'local' ? 'this machine' : r.layer === 'perimeter' ? 'the network edge' : r.layer}`]
      : []),
  ].join(' · ');
  return {
    id: r.id,
    title: `${RANGE_TITLE[baseId(r.id)] ?? r.id} towards ${r.host}${familyOf(r) === 6 ? ` over ${FAMILY_LABEL[6]}` : ''}`,
    lo,
    hi,
    segments,
    ticks,
    allowedText: formatRanges(allowed) || 'none',
    blockedText: formatRanges(blocked) || 'none',
    untestedText: formatRanges(untested),
    allowedPct: Math.round((rangeSize(allowed) / total) * 100),
    blockedPct: Math.round((rangeSize(blocked) / total) * 100),
    meta,
    notes: r.notes,
  };
}

const NAT_WORDS: Record<NatType, string> = {
  'endpoint-independent': 'Endpoint-independent',
  'address-dependent': 'Address-dependent',
  'address-and-port-dependent': 'Address- and port-dependent',
  none: 'No NAT',
  unknown: 'Unknown',
};
export function natWords(t: NatType): string {
  return NAT_WORDS[t];
}

/** One plain sentence about the NAT for peer-to-peer calls. */
export function natSummary(report: Report): { tone: Tone; text: string } {
  const n = report.nat;
  if (n.mapping === 'none')
    return {
      tone: 'pass',
      text: 'This machine is not behind a NAT: peers can reach it directly where the firewall allows.',
    };
  if (n.behaveCompliant === true)
    return {
      tone: 'pass',
      text: 'The NAT keeps one public port per local port (BEHAVE-compliant), so direct peer-to-peer UDP can work.',
    };
  if (n.behaveCompliant === false)
    return {
      tone: 'fail',
      text: 'The NAT gives a new public port per destination (symmetric): direct peer-to-peer UDP will fail and calls need a relay.',
    };
  return {
    tone: 'skipped',
    text: 'The NAT behaviour could not be determined (UDP to the STUN server did not get through, or the server cannot test it).',
  };
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export function fmtDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Findings, most severe first. */
export function sortedFindings(report: Report): Report['findings'] {
  const rank = { error: 0, warn: 1, info: 2 } as const;
  return [...report.findings].sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/**
 * Checks in report order, grouped under headings a helpdesk recognises; within a section one row
 * per check, with its IPv6 twin (when both families ran) on the same row (`groupByFamily`).
 */
export function checkSections(report: Report): Array<{ title: string; rows: FamilyRow<CheckResult>[] }> {
  const sections: Array<{ title: string; section: CheckSection }> = [
    { title: 'Names and signaling', section: 'names' },
    { title: 'STUN and TURN (engine probes)', section: 'stun-turn' },
    { title: 'WebRTC in the app (browser engine)', section: 'webrtc' },
  ];
  return sections
    .map((s) => ({
      title: s.title,
      rows: groupByFamily(report.checks.filter((c) => CHECK_KINDS[c.kind]?.section === s.section)),
    }))
    .filter((s) => s.rows.length > 0);
}

/** Evidence as pretty JSON for the "evidence" disclosure (bounded, so a huge chain cannot freeze the view). */
export function evidenceText(c: CheckResult): string {
  const text = JSON.stringify(c.evidence, null, 2);
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n…` : text;
}
