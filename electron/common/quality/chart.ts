import type { QualityResult } from './schema';

/**
 * The geometry of the small throughput-over-time chart the verdict cards and the report draw from
 * the `samples` of quality entries (inline SVG, no library): one polyline per entry in a plot area
 * of `width` × `height`, both axes from 0. Pure, so the app and the PDF draw the same picture.
 */
export interface ChartLine {
  id: string;
  sensor: QualityResult['sensor'];
  /** SVG polyline points, "x,y x,y …", inside the plot area. */
  points: string;
}

export interface ThroughputChart {
  lines: ChartLine[];
  /** Top of the y axis, kbit/s (a round number at or above every sample and the target). */
  maxKbps: number;
  /** Right end of the x axis, ms. */
  maxMs: number;
  /** The target rate's height in the plot area (a dashed line), when there is one. */
  targetY: number | null;
}

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/** 1, 2, 5 × 10^n at or above `v`. */
function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Undefined when no entry has samples (a STUN echo has none: it measures no throughput). */
export function throughputChart(
  entries: readonly QualityResult[],
  width: number,
  height: number,
): ThroughputChart | undefined {
  const withSamples = entries.filter((e) => e.samples.length > 0);
  if (withSamples.length === 0) return undefined;
  const target = Math.max(0, ...withSamples.map((e) => e.targetKbps));
  const maxKbps = niceCeil(Math.max(target, ...withSamples.flatMap((e) => e.samples.map(([, k]) => k))));
  const maxMs = Math.max(1, ...withSamples.flatMap((e) => e.samples.map(([t]) => t)));
  const x = (t: number) => (t / maxMs) * width;
  const y = (k: number) => height - (k / maxKbps) * height;
  return {
    lines: withSamples.map((e) => ({
      id: e.id,
      sensor: e.sensor,
      points: [[0, 0] as const, ...e.samples].map(([t, k]) => `${r1(x(t))},${r1(y(k))}`).join(' '),
    })),
    maxKbps,
    maxMs,
    targetY: target > 0 ? Math.round(y(target) * 10) / 10 : null,
  };
}
