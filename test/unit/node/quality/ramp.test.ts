import { describe, expect, it } from 'vitest';
import {
  deliveredRateKbps,
  interarrivalJitter,
  oneLegLossPct,
  RampController,
  roundPathLossPct,
  type PacketRecord,
} from '#node/quality/ramp';

/** Feeds the controller windows of a simulated path that carries at most `capKbps` and loses `loss` of what it carries. */
function simulate(targetKbps: number, capKbps: number, loss = 0, maxWindows = 20): RampController {
  const r = new RampController({ targetKbps });
  for (let i = 0; i < maxWindows && r.stop === undefined; i++) {
    const offered = (r.rateKbps * 250) / 8;
    const delivered = (Math.min(r.rateKbps, capKbps) * (1 - loss) * 250) / 8;
    r.evaluate(i * 250, offered, delivered);
  }
  return r;
}

describe('ramp controller', () => {
  it('doubles up to the target, never past it, and stops after two windows at the target', () => {
    const r = simulate(2500, 100_000);
    expect(r.windows.map((w) => w.rateKbps)).toEqual([500, 1000, 2000, 2500, 2500]);
    expect(r.stop).toBe('target-met');
    expect(r.deliveredKbps()).toBe(2500);
  });
  it("finds a shaped link's rate and stops once it stops growing, without raising the rate again", () => {
    const r = simulate(2500, 700);
    expect(r.stop).toBe('plateau');
    expect(r.deliveredKbps()).toBe(700);
    expect(Math.max(...r.windows.map((w) => w.rateKbps))).toBe(1000); // one doubling past the capacity, no more
    expect(r.windows).toHaveLength(3);
  });
  it('keeps ramping through 8 % random loss (that is loss, not a full link)', () => {
    const r = simulate(2500, 100_000, 0.08);
    expect(r.stop).toBe('target-met');
    expect(r.windows.every((w) => !w.limited)).toBe(true);
  });
  it('tells random loss from a full path: 15 % loss keeps ramping, its loss windows count as carried', () => {
    const r = simulate(2500, 100_000, 0.15);
    expect(r.windows.map((w) => w.rateKbps).slice(0, 4)).toEqual([500, 1000, 2000, 2500]);
    expect(r.windows.slice(0, 3).every((w) => w.limited && !w.capacityLimited)).toBe(true);
    expect(r.stop).toBe('plateau'); // at the target, still 15 % short: held, then stopped
  });
  it('a path slower than the first window: one doubling, then held', () => {
    const r = simulate(2500, 300);
    expect(r.windows.map((w) => w.rateKbps)).toEqual([500, 1000]); // two limited windows delivering alike: its capacity
    expect(r.stop).toBe('plateau');
    expect(r.deliveredKbps()).toBe(300);
  });
  it('does not count a window this computer failed to send at (busy machine) as the target met', () => {
    const r = new RampController({ targetKbps: 300, startKbps: 300 });
    r.evaluate(0, 9375, 9375);
    r.evaluate(250, 5000, 5000); // sent half of what the rate asks
    expect(r.stop).toBeUndefined();
    expect(r.windows[1]!.senderBehind).toBe(true);
    r.evaluate(500, 9375, 9375);
    expect(r.stop).toBe('target-met');
  });
  it('starts at a given rate for the second direction', () => {
    const r = new RampController({ targetKbps: 2500, startKbps: 3000 });
    expect(r.rateKbps).toBe(2500);
  });
  it('takes two met windows in all, not in a row', () => {
    const r = new RampController({ targetKbps: 300 });
    r.evaluate(0, 9375, 9375);
    r.evaluate(250, 9375, 5000);
    expect(r.stop).toBeUndefined();
    r.evaluate(500, 9375, 9375);
    expect(r.stop).toBe('target-met');
  });
});

describe('stream statistics', () => {
  it('computes RFC 3550 jitter from transit differences', () => {
    // transit alternates 10, 14 ms: |D| = 4 every packet; J converges towards 4 from below
    const pk = Array.from({ length: 200 }, (_, i) => ({ sentAt: i * 20, arrivedAt: i * 20 + (i % 2 ? 14 : 10) }));
    expect(interarrivalJitter(pk)).toBeCloseTo(4, 1);
    expect(interarrivalJitter(pk.slice(0, 1))).toBeNull();
    expect(interarrivalJitter(pk.map((p) => ({ ...p, arrivedAt: p.sentAt + 5 })))).toBe(0);
  });
  it("converts the loss of two legs into one leg's", () => {
    expect(oneLegLossPct((1 - 0.92 * 0.92) * 100)).toBeCloseTo(8, 6);
    expect(oneLegLossPct(0)).toBe(0);
    expect(oneLegLossPct(100)).toBe(100);
  });
  it('counts loss only in windows that were not limited by capacity', () => {
    const windows = [
      {
        index: 0,
        startMs: 0,
        rateKbps: 500,
        offeredBytes: 1,
        deliveredBytes: 1,
        deliveredKbps: 1,
        limited: false,
        capacityLimited: false,
        senderBehind: false,
      },
      {
        index: 1,
        startMs: 250,
        rateKbps: 1000,
        offeredBytes: 1,
        deliveredBytes: 0,
        deliveredKbps: 0,
        limited: true,
        capacityLimited: true,
        senderBehind: false,
      },
    ];
    const p = (window: number, arrived: boolean): PacketRecord => ({
      seq: 0,
      window,
      sentAt: 0,
      bytes: 1,
      arrivedAt: arrived ? 1 : null,
    });
    const packets = [
      ...Array.from({ length: 9 }, () => p(0, true)),
      p(0, false),
      ...Array.from({ length: 10 }, () => p(1, false)),
    ];
    expect(roundPathLossPct(packets, windows)).toBe(10);
    expect(
      roundPathLossPct(
        packets.filter((x) => x.window === 1),
        windows.map((w) => ({ ...w, limited: true, capacityLimited: true, senderBehind: false })),
      ),
    ).toBe(100);
  });
});

describe('delivered rate at capacity', () => {
  /**
   * Packets through a token-bucket shaper as tbf is one: `capKbps` with a `burstBytes` bucket (full
   * after an idle moment) and a queue of `queueMs` (tail drop); sent evenly within each 250 ms
   * window at the ramp's rate, counted by send window as the stream does.
   */
  function shaped(capKbps: number, queueMs: number, startKbps: number, windows = 12, burstBytes = 16 * 1024) {
    const ramp = new RampController({ targetKbps: 2500, startKbps });
    const packets: PacketRecord[] = [];
    const size = 1200;
    const perMs = capKbps / 8; // bytes a ms
    let tokens = burstBytes;
    let last = 0; // when `tokens` was counted
    let free = 0; // when the shaper can send the next packet
    let seq = 0;
    for (let w = 0; w < windows && ramp.stop === undefined; w++) {
      const n = Math.round((ramp.rateKbps * 250) / 8 / size);
      const mine: PacketRecord[] = [];
      for (let i = 0; i < n; i++) {
        const sentAt = w * 250 + (i * 250) / n;
        const rec: PacketRecord = { seq: seq++, window: w, sentAt, bytes: size, arrivedAt: null };
        let at = Math.max(sentAt, free);
        const have = Math.min(burstBytes, tokens + (at - last) * perMs);
        if (have < size) at += (size - have) / perMs;
        if (at - sentAt <= queueMs) {
          tokens = Math.min(burstBytes, tokens + (at - last) * perMs) - size;
          last = at;
          free = at;
          rec.arrivedAt = at;
        }
        mine.push(rec);
      }
      packets.push(...mine);
      const delivered = mine.filter((p) => p.arrivedAt !== null).reduce((b, p) => b + p.bytes, 0);
      ramp.evaluate(w * 250, n * size, delivered);
    }
    return { ramp, packets };
  }

  it('reads the rate the shaper drains at, not its burst or what our excess queued in it (400 kbit/s, 100 ms queue)', () => {
    const { ramp, packets } = shaped(400, 100, 356);
    expect(ramp.windows.at(-1)!.capacityLimited).toBe(true);
    const rate = deliveredRateKbps(ramp, packets);
    console.log(
      'OLD',
      ramp.deliveredKbps(),
      'NEW',
      rate,
      ramp.windows.map((w) => Math.round(w.deliveredKbps)),
    );
    expect(Math.abs(rate - 400) / 400).toBeLessThan(0.05);
  });

  it('a stream the time budget cut short, still filling the queue: the drain rate, not the last windows sent', () => {
    // the second direction of a stream gets what is left of the budget: here four windows
    const { ramp, packets } = shaped(400, 100, 200, 4);
    expect(ramp.stop).toBeUndefined();
    expect(ramp.deliveredKbps()).toBeGreaterThan(400 * 1.3); // by send window: our excess counted too
    expect(Math.abs(deliveredRateKbps(ramp, packets) - 400) / 400).toBeLessThan(0.05);
  });

  it('where the path carried everything, the ramp reading stands', () => {
    const { ramp, packets } = shaped(100_000, 100, 500);
    expect(ramp.stop).toBe('target-met');
    expect(deliveredRateKbps(ramp, packets)).toBe(ramp.deliveredKbps());
  });
});
