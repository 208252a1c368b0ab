/**
 * What the page's test call (renderer/src/webrtc/quality.ts) reads from its sample windows: the
 * loss the path adds, as the engine counts it (node/quality/ramp.ts, `roundPathLossPct`), apart
 * from the loss of its own congestion control's overshoot.
 *
 * The browser's congestion control probes above its estimate while it ramps up (and after a
 * keyframe its pacer sends a burst): on a link that carries less than it offers, the bottleneck's
 * queue overflows and drops the excess. That is congestion of the test's own making, which a call
 * in steady state does not keep up — counting it made a 400 kbit/s link with no loss of its own
 * read 12–26 % in the lab. A window is *over capacity* when the sender offered more than
 * `OVERSHOOT` × the median payload rate the direction received (what the path carries); the loss is
 * counted from the moment the sender settled — the first windows in a row neither over capacity nor
 * draining the queue the overshoot filled (more arrives than is sent) — and a lag later (drops are
 * counted when a later packet arrives). The choice looks only at what was sent, never at what
 * was lost, so random loss (which costs every window alike) is measured without bias. When fewer
 * than `MIN_WINDOWS` windows follow the start-up, every window counts and the result says the
 * call never settled (`settled: false`): its loss is the start-up's, which the verdict does not
 * judge by when the engine measured the path too (heavy random loss, say 25 %, makes every window
 * look over capacity: the engine's entry then carries it).
 */

import { median } from './median';

export interface CallWindow {
  /** Received rate in the window, kbit/s (with the bytes a link carries): the rate reported. */
  kbps: number;
  /** Media payload received in the window, kbit/s. */
  payloadKbps: number;
  /**
   * Media payload sent in the window (retransmissions included: they recover packets the receiver
   * then counts), kbit/s, or null when the sender's stats had none. Payload against payload: the
   * congestion control's padding probes, which the receiver does not count, would otherwise read
   * as overshoot.
   */
  sentKbps: number | null;
  /** Packets received, and packets the receiver counted lost, in the window. */
  packets: number;
  lost: number;
  /** The window's length, ms (from the stats' own timestamps); windows without it weigh alike. */
  ms?: number;
}

/** Sent above this multiple of the median received payload rate: the window offered more than the path carries. */
export const OVERSHOOT = 1.25;
export const MIN_WINDOWS = 2;

export interface CallLoss {
  /** Loss over both legs, percent, from the windows counted. */
  roundLossPct: number;
  /** Loss over every window, percent (the same when nothing was set apart). */
  allRoundLossPct: number;
  /** Windows set apart: the overshoot and its lag (0 when every window counted). */
  overCapacity: number;
  /** False when the sender never settled (too few windows after its start-up): every window counted. */
  settled: boolean;
}

const pct = (lost: number, packets: number): number => (packets + lost > 0 ? (lost / (packets + lost)) * 100 : 100);

/** The median, 0 for no windows. */
const mid = (xs: readonly number[]): number => median(xs) ?? 0;

/** The ramp-up lasts while the sender offers less than this share of its later half's median offer. */
export const RAMPED = 0.9;
/** After it, a window in which the sender offered less than this share of its median offer is its own lull. */
export const LULL = 0.75;

/**
 * The settled received rate, bytes over time: what the report calls the path's rate. What the
 * sender offered (payload sent; the received rate without sender stats) sets two kinds of window apart,
 * both the sender's own and silent on what the path carries: its ramp-up (the leading windows under
 * `RAMPED` × the later half's median offer, at most half the windows) and, after it, its lulls
 * (under `LULL` × the median offer): its congestion control backing off after a loss (on the lab's
 * 400 kbit/s link 136 and 62 kbit/s at the end of a direction where the path carried 360). The bursts
 * an encoder sends after a lull (frames it catches up on when the machine starved it: 2–3× the
 * target for a window, seen under load) stay in, averaged over the whole call rather than over its
 * later half only, where one burst read 1.3× the target.
 */
export function settledKbps(windows: readonly CallWindow[]): number {
  if (windows.length === 0) return 0;
  const offered = (w: CallWindow) => w.sentKbps ?? w.kbps;
  const half = Math.floor(windows.length / 2);
  const ramped = mid(windows.slice(half).map(offered)) * RAMPED;
  let i = 0;
  while (i < half && offered(windows[i]!) < ramped) i++;
  const tail = windows.slice(i);
  const lull = mid(tail.map(offered)) * LULL;
  const kept = tail.filter((w) => offered(w) >= lull); // never empty: the median window stays
  const weight = (w: CallWindow) => (w.ms !== undefined && w.ms > 0 ? w.ms : 1);
  const total = kept.reduce((t, w) => t + weight(w), 0);
  return kept.reduce((t, w) => t + w.kbps * weight(w), 0) / total;
}

/**
 * What the path carries: the median received payload rate. At a bottleneck nearly every window
 * receives its capacity — over capacity, draining or settled alike — while a bucket's first burst
 * (a tbf link's first window read 1.5–2× its rate) or the sender's lulls are single windows; a mean
 * took the burst in and let a 400 kbit/s link's overshoot pass as balanced (lab: 22 % of a
 * direction's packets lost in "settled" windows).
 */
const carried = (windows: readonly CallWindow[]) => mid(windows.map((w) => w.payloadKbps));

/**
 * The call after its start-up: from the first `MIN_WINDOWS` windows in a row that were balanced
 * (neither over capacity nor draining the queue an overshoot filled, when the receiver got far more
 * than was sent) — after the first unbalanced one when that falls in the first half of the call —
 * `lagWindows` later (a packet dropped at the bottleneck is counted lost only when a later one
 * arrives). Balanced windows before a start-up overshoot are its beginning (a bucket's burst carries
 * what the encoder's first frames offer), not a settled sender: counting from them took a 400 kbit/s
 * link's overshoot in (lab: 11 % loss "settled").
 * Everything after counts, a later probe's drops too: that is the settled call. All windows when
 * none was unbalanced; none when the sender never settled.
 */
function cleanTail(windows: readonly CallWindow[], lagWindows: number): readonly CallWindow[] {
  const c = carried(windows);
  const balanced = (w: CallWindow) =>
    w.sentKbps === null || (w.sentKbps <= c * OVERSHOOT && w.sentKbps * OVERSHOOT >= w.payloadKbps);
  const first = windows.findIndex((w) => !balanced(w));
  if (first < 0) return windows;
  // an overshoot in the first half is the start-up: the balanced windows before it are its beginning;
  // a later one is a probe of the settled call, whose drops count
  const from = first < windows.length / 2 ? first + 1 : 0;
  for (let i = from; i + MIN_WINDOWS <= windows.length; i++)
    if (windows.slice(i, i + MIN_WINDOWS).every(balanced)) return windows.slice(i + Math.max(0, lagWindows));
  return [];
}

/**
 * The sender has settled: no window was unbalanced, or `MIN_WINDOWS` windows have followed the
 * start-up (and its lag). The page's call samples past its planned time (up to
 * `SETTLE_EXTRA_MS`) until it has, so a link far slower than the target is measured at the rate it
 * carries, not only during the overshoot.
 */
export function senderSettled(windows: readonly CallWindow[], lagWindows = 0): boolean {
  return windows.length >= MIN_WINDOWS && cleanTail(windows, lagWindows).length >= MIN_WINDOWS;
}

/** The longest a direction of the page's call samples past its planned time while its sender settles. */
export const SETTLE_EXTRA_MS = 2000;

/** Loss over the windows after the start-up (`cleanTail`); over every window when too few followed it. */
export function callLoss(windows: readonly CallWindow[], lagWindows = 0): CallLoss {
  const sum = (ws: readonly CallWindow[]) =>
    ws.reduce((t, w) => ({ p: t.p + w.packets, l: t.l + w.lost }), { p: 0, l: 0 });
  const all = sum(windows);
  const allRoundLossPct = pct(all.l, all.p);
  const clean = cleanTail(windows, lagWindows);
  if (clean.length === windows.length)
    return { roundLossPct: allRoundLossPct, allRoundLossPct, overCapacity: 0, settled: true };
  if (clean.length < MIN_WINDOWS)
    return { roundLossPct: allRoundLossPct, allRoundLossPct, overCapacity: 0, settled: false };
  const u = sum(clean);
  return { roundLossPct: pct(u.l, u.p), allRoundLossPct, overCapacity: windows.length - clean.length, settled: true };
}
