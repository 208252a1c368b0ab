import { normalizeRanges, subtractRanges, type PortRange } from '../net/ranges';
import type { CheckStatus, Latency, MediaPath, Report, RoomType } from './schema';

/**
 * Before/after comparison of two reports, typically taken either side of a firewall change. Pure,
 * so the app, the CLI and the HTML/PDF renderer show the same differences.
 */

export interface VerdictChange {
  room: RoomType;
  /** Path before / after; null when that report did not test this room type. */
  before: MediaPath | null;
  after: MediaPath | null;
  beforeLatency: Latency | null;
  afterLatency: Latency | null;
  /** Path or latency class differs. */
  changed: boolean;
  /** True when the new path is further up the ladder, false when further down, null when unchanged or not comparable. */
  improved: boolean | null;
}

export interface StatusFlip {
  id: string;
  before: CheckStatus;
  after: CheckStatus;
}

export interface CheckPresence {
  id: string;
  status: CheckStatus;
}

export interface LatencyDelta {
  id: string;
  beforeMs: number;
  afterMs: number;
  /** after − before; positive = slower. */
  deltaMs: number;
}

export interface RangeChange {
  id: string;
  protocol: 'udp' | 'tcp';
  /** Allowed ports before / after; null when the range was not in that report. */
  beforeAllowed: PortRange[] | null;
  afterAllowed: PortRange[] | null;
  /** Ports allowed after that were not before, and the reverse. */
  opened: PortRange[];
  closed: PortRange[];
}

export interface ReportComparison {
  verdicts: VerdictChange[];
  /** Checks present in both whose status differs. */
  flipped: StatusFlip[];
  /** Checks only in `after` / only in `before`. */
  added: CheckPresence[];
  removed: CheckPresence[];
  /** Checks with an rtt in both reports, largest absolute change first. */
  latency: LatencyDelta[];
  rangesChanged: RangeChange[];
}

/** Position on the ladder: lower is better. */
const PATH_RANK: Record<MediaPath, number> = {
  'direct-udp': 0,
  'direct-tcp': 1,
  'turn-udp': 2,
  'turn-tcp': 3,
  'turn-tls': 4,
  blocked: 5,
};

function sameRanges(a: readonly PortRange[], b: readonly PortRange[]): boolean {
  const x = normalizeRanges(a);
  const y = normalizeRanges(b);
  return x.length === y.length && x.every((r, i) => r[0] === y[i]![0] && r[1] === y[i]![1]);
}

/** Compares `before` with `after`; lists are ordered as in `after` (then `before`) for stable output. */
export function compareReports(before: Report, after: Report): ReportComparison {
  const verdicts: VerdictChange[] = (['group', 'p2p'] as const)
    .filter((room) => before.verdicts[room] || after.verdicts[room])
    .map((room) => {
      const b = before.verdicts[room] ?? null;
      const a = after.verdicts[room] ?? null;
      const changed = b?.path !== a?.path || b?.latency !== a?.latency;
      const improved = b && a && b.path !== a.path ? PATH_RANK[a.path] < PATH_RANK[b.path] : null;
      return {
        room,
        before: b?.path ?? null,
        after: a?.path ?? null,
        beforeLatency: b?.latency ?? null,
        afterLatency: a?.latency ?? null,
        changed,
        improved,
      };
    });

  const beforeChecks = new Map(before.checks.map((c) => [c.id, c]));
  const afterChecks = new Map(after.checks.map((c) => [c.id, c]));
  const flipped: StatusFlip[] = [];
  const added: CheckPresence[] = [];
  const latency: LatencyDelta[] = [];
  for (const a of after.checks) {
    const b = beforeChecks.get(a.id);
    if (!b) {
      added.push({ id: a.id, status: a.status });
      continue;
    }
    if (b.status !== a.status) flipped.push({ id: a.id, before: b.status, after: a.status });
    if (b.rttMs !== undefined && a.rttMs !== undefined) {
      latency.push({
        id: a.id,
        beforeMs: b.rttMs,
        afterMs: a.rttMs,
        deltaMs: Math.round((a.rttMs - b.rttMs) * 1000) / 1000,
      });
    }
  }
  const removed: CheckPresence[] = before.checks
    .filter((c) => !afterChecks.has(c.id))
    .map((c) => ({ id: c.id, status: c.status }));
  latency.sort((x, y) => Math.abs(y.deltaMs) - Math.abs(x.deltaMs));

  const beforeRanges = new Map(before.ranges.map((r) => [r.id, r]));
  const afterRanges = new Map(after.ranges.map((r) => [r.id, r]));
  const rangesChanged: RangeChange[] = [];
  const rangeIds = [...new Set([...after.ranges.map((r) => r.id), ...before.ranges.map((r) => r.id)])];
  for (const id of rangeIds) {
    const b = beforeRanges.get(id);
    const a = afterRanges.get(id);
    const bAllowed = b ? (b.allowed as PortRange[]) : null;
    const aAllowed = a ? (a.allowed as PortRange[]) : null;
    if (bAllowed && aAllowed && sameRanges(bAllowed, aAllowed)) continue;
    rangesChanged.push({
      id,
      protocol: (a ?? b)!.protocol,
      beforeAllowed: bAllowed ? normalizeRanges(bAllowed) : null,
      afterAllowed: aAllowed ? normalizeRanges(aAllowed) : null,
      opened: subtractRanges(aAllowed ?? [], bAllowed ?? []),
      closed: subtractRanges(bAllowed ?? [], aAllowed ?? []),
    });
  }

  return { verdicts, flipped, added, removed, latency, rangesChanged };
}

/** True when nothing a reader would care about differs. */
export function isUnchanged(c: ReportComparison): boolean {
  return (
    !c.verdicts.some((v) => v.changed) &&
    c.flipped.length === 0 &&
    c.added.length === 0 &&
    c.removed.length === 0 &&
    c.rangesChanged.length === 0
  );
}
