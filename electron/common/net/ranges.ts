/**
 * Inclusive port intervals `[from, to]`, as used by profiles (`udpPorts: [[10000, 60000]]`) and
 * reports (`allowed` / `blocked`). Pure helpers shared by range discovery, analysis and rules.
 */
export type PortRange = [number, number];

/** Sorts and merges overlapping or adjacent intervals. */
export function normalizeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = ranges.map((r) => [r[0], r[1]] as PortRange).sort((a, b) => a[0] - b[0]);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

export function rangeSize(ranges: readonly PortRange[]): number {
  return normalizeRanges(ranges).reduce((n, [a, b]) => n + (b - a + 1), 0);
}

/** Ports of `a` not covered by `b`. */
export function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  let out = normalizeRanges(a);
  for (const [bs, be] of normalizeRanges(b)) {
    const next: PortRange[] = [];
    for (const [as, ae] of out) {
      if (be < as || bs > ae) next.push([as, ae]);
      else {
        if (bs > as) next.push([as, bs - 1]);
        if (be < ae) next.push([be + 1, ae]);
      }
    }
    out = next;
  }
  return out;
}

export function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  return subtractRanges(a, subtractRanges(a, b));
}

/** True when every port of `required` lies inside `allowed`. */
export function coversAll(allowed: readonly PortRange[], required: readonly PortRange[]): boolean {
  return subtractRanges(required, allowed).length === 0;
}

/** "3478, 10000-60000" (or "none"); `dash` joins a range's ends (the app's first screen uses an en dash). */
export function formatRanges(ranges: readonly PortRange[], dash = '-'): string {
  return (
    normalizeRanges(ranges)
      .map(([a, b]) => (a === b ? `${a}` : `${a}${dash}${b}`))
      .join(', ') || 'none'
  );
}
