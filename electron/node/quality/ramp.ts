/**
 * The arithmetic of a paced quality stream, apart from any socket (so it is tested on its own):
 * when to raise the rate, when to stop, and what the arrivals say about throughput, loss and jitter.
 *
 * One direction of a stream is a series of windows of `windowMs` of send time. The rate starts low,
 * doubles while the far side receives what was sent, never exceeds the target, and stops as soon as
 * the answer is clear: the target was delivered for two windows, or the path delivered less than was
 * sent for two windows running at a rate that stopped growing (its capacity; also four limited
 * windows in all, for a path whose delivered rate keeps swinging). A window that fell short but
 * delivered in proportion to a higher offer is loss, not capacity: the ramp goes on. A busy computer's timers make one
 * window look short now and then, so the target needs two windows met in all, not in a row. It is never raised once
 * the path fell short, so the excess sent over a path's capacity is bounded by one doubling.
 */

export interface RampConfig {
  targetKbps: number;
  /** First window's rate; default min(target, 500). */
  startKbps?: number;
  windowMs?: number;
  /** Share of the sent bytes that must arrive for a window to count as "not limited". */
  deliveredRatio?: number;
  /** Two limited windows whose delivered rates differ by at most this share are a plateau. */
  plateauTolerance?: number;
}

/** A limited window counts as scaling when it delivered at least this share of the proportional growth. */
const SCALING_SHARE = 0.85;
/** A window in which this computer sent less than this share of its rate says nothing about the path. */
const SENDER_SHARE = 0.85;

export const RAMP_DEFAULTS = { windowMs: 250, deliveredRatio: 0.9, plateauTolerance: 0.15, startKbps: 500 } as const;

export interface WindowResult {
  index: number;
  /** Send-time start of the window, ms on the stream's clock. */
  startMs: number;
  /** The rate asked for in this window. */
  rateKbps: number;
  /** Bytes offered in the window (sent, or refused by a full socket buffer). */
  offeredBytes: number;
  /** Bytes that arrived during the window's span shifted by the one-way transit. */
  deliveredBytes: number;
  deliveredKbps: number;
  /** Fewer bytes arrived than the path was offered. */
  limited: boolean;
  /**
   * Limited, and the path no longer scales with what it is offered: its capacity, not random loss
   * (a lossy path that delivers twice as much when offered twice as much is not full).
   */
  capacityLimited: boolean;
  /** This computer did not manage to send at the rate (a busy machine's late timers): no evidence about the path. */
  senderBehind: boolean;
}

export type RampStop = 'target-met' | 'plateau' | 'time';

export interface RampState {
  rateKbps: number;
  stop?: RampStop;
}

/**
 * Decides the rate window by window. The caller sends at `rateKbps`, reports what it offered and what
 * arrived (`evaluate`), and stops when `stop` is set.
 */
export class RampController {
  readonly windowMs: number;
  private readonly deliveredRatio: number;
  private readonly plateauTolerance: number;
  readonly windows: WindowResult[] = [];
  rateKbps: number;
  stop: RampStop | undefined;
  private metCount = 0;
  private limitedCount = 0;

  constructor(private readonly cfg: RampConfig) {
    this.windowMs = cfg.windowMs ?? RAMP_DEFAULTS.windowMs;
    this.deliveredRatio = cfg.deliveredRatio ?? RAMP_DEFAULTS.deliveredRatio;
    this.plateauTolerance = cfg.plateauTolerance ?? RAMP_DEFAULTS.plateauTolerance;
    this.rateKbps = Math.min(cfg.targetKbps, cfg.startKbps ?? RAMP_DEFAULTS.startKbps);
  }

  /** Records one finished window and sets the next rate (or `stop`). */
  evaluate(startMs: number, offeredBytes: number, deliveredBytes: number): WindowResult {
    const deliveredKbps = (deliveredBytes * 8) / this.windowMs;
    const limited = offeredBytes > 0 && deliveredBytes < offeredBytes * this.deliveredRatio;
    const prev = this.windows[this.windows.length - 1];
    // offered more than last window, and delivered (nearly) in proportion: loss, not a full path.
    // The first window gets the benefit of the doubt (one doubling shows which it is).
    const scaling =
      limited &&
      (prev === undefined ||
        (!prev.capacityLimited &&
          this.rateKbps > prev.rateKbps &&
          prev.deliveredKbps > 0 &&
          deliveredKbps >= prev.deliveredKbps * (this.rateKbps / prev.rateKbps) * SCALING_SHARE));
    const senderBehind = offeredBytes < ((this.rateKbps * this.windowMs) / 8) * SENDER_SHARE;
    const w: WindowResult = {
      index: this.windows.length,
      startMs,
      rateKbps: this.rateKbps,
      offeredBytes,
      deliveredBytes,
      deliveredKbps,
      limited,
      capacityLimited: limited && !scaling,
      senderBehind,
    };
    this.windows.push(w);
    if (senderBehind && !limited) return w; // the rate was not tried: try it again
    if (!w.capacityLimited) {
      if (this.rateKbps >= this.cfg.targetKbps) {
        // met windows need not be consecutive: one short window on a busy machine must not hide the answer
        if (!limited) this.metCount++;
        if (this.metCount >= 2) this.stop = 'target-met';
        else if (limited && prev?.limited && prev.rateKbps === this.rateKbps && this.similar(prev, w))
          this.stop = 'plateau';
      } else {
        this.rateKbps = Math.min(this.cfg.targetKbps, this.rateKbps * 2);
      }
      return w;
    }
    this.limitedCount++;
    if (prev?.limited && this.similar(prev, w)) this.stop = 'plateau';
    // bounded: a path whose delivered rate keeps swinging is at its capacity too
    if (this.limitedCount >= 4) this.stop ??= 'plateau';
    // hold the rate: the path already fell short, pushing harder only fills queues
    return w;
  }

  private similar(a: WindowResult, b: WindowResult): boolean {
    const hi = Math.max(a.deliveredKbps, b.deliveredKbps);
    return hi === 0 || Math.abs(a.deliveredKbps - b.deliveredKbps) <= hi * this.plateauTolerance;
  }

  /** The direction's delivered rate: the mean of the last two windows (the settled ones). */
  deliveredKbps(): number {
    const last = this.windows.slice(-2);
    if (last.length === 0) return 0;
    return last.reduce((s, w) => s + w.deliveredKbps, 0) / last.length;
  }
}

export interface PacketRecord {
  seq: number;
  window: number;
  sentAt: number;
  bytes: number;
  arrivedAt: number | null;
}

/**
 * A direction's delivered rate. Where the path carried what was offered, the ramp's own reading
 * (the last two windows). Where it was at capacity, the rate the bottleneck drained the packets of
 * those windows at, from their arrival times (packet-train dispersion): counting them by send
 * window instead credits one window with what our excess queued in the shaper, and a token
 * bucket's burst after an idle moment with more than the link sustains.
 */
export function deliveredRateKbps(ramp: RampController, packets: readonly PacketRecord[]): number {
  const last = ramp.windows[ramp.windows.length - 1];
  if (!last?.capacityLimited) return ramp.deliveredKbps();
  const full = new Set(ramp.windows.filter((w) => w.capacityLimited).map((w) => w.index));
  const arrived = packets
    .filter((p) => full.has(p.window) && p.arrivedAt !== null)
    .sort((a, b) => a.arrivedAt! - b.arrivedAt!);
  if (arrived.length < 8) return ramp.deliveredKbps();
  // the later half of the arrivals: a token bucket's burst passes first, then only its rate does
  const from = arrived[0]!.arrivedAt! + (arrived[arrived.length - 1]!.arrivedAt! - arrived[0]!.arrivedAt!) / 2;
  const tail = arrived.filter((p) => p.arrivedAt! >= from);
  const spanMs = tail[tail.length - 1]!.arrivedAt! - tail[0]!.arrivedAt!;
  if (tail.length < 5 || spanMs < ramp.windowMs / 4) return ramp.deliveredKbps();
  const bytes = tail.slice(1).reduce((n, p) => n + p.bytes, 0);
  return (bytes * 8) / spanMs;
}

/** RFC 3550 §6.4.1 interarrival jitter over packets in arrival order: J += (|D| − J) / 16. */
export function interarrivalJitter(packets: readonly { sentAt: number; arrivedAt: number | null }[]): number | null {
  const arrived = packets.filter((p) => p.arrivedAt !== null).sort((a, b) => a.arrivedAt! - b.arrivedAt!);
  if (arrived.length < 2) return null;
  let j = 0;
  let prev: number | null = null;
  for (const p of arrived) {
    const transit = p.arrivedAt! - p.sentAt;
    if (prev !== null) j += (Math.abs(transit - prev) - j) / 16;
    prev = transit;
  }
  return j;
}

export { median } from '#common/quality/median';

/**
 * Our streams cross this computer's link twice (up to the server, back down to the other socket
 * on this computer), so what we measure is the loss of both legs together. A call crosses it once
 * per direction: assuming both legs lose alike, one leg's loss is 1 − √(1 − measured).
 */
export function oneLegLossPct(roundPathLossPct: number): number {
  const l = Math.min(1, Math.max(0, roundPathLossPct / 100));
  return (1 - Math.sqrt(1 - l)) * 100;
}

/**
 * Loss of a direction, percent, over both legs: from the windows that were not limited by capacity
 * (there, a lost packet is loss the path adds, not a queue overflowing because we offered more than
 * it carries); from every window when all were limited.
 */
export function roundPathLossPct(packets: readonly PacketRecord[], windows: readonly WindowResult[]): number {
  const free = new Set(windows.filter((w) => !w.capacityLimited).map((w) => w.index));
  const pool = free.size > 0 ? packets.filter((p) => free.has(p.window)) : packets;
  if (pool.length === 0) return 0;
  return ((pool.length - pool.filter((p) => p.arrivedAt !== null).length) / pool.length) * 100;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;
export const round2 = (x: number): number => Math.round(x * 100) / 100;
