import { describe, expect, it } from 'vitest';
import { callLoss, senderSettled, settledKbps, type CallWindow } from '#common/quality/call-windows';

const w = (kbps: number, sentKbps: number | null, packets: number, lost: number): CallWindow => ({
  kbps: kbps * 1.05,
  payloadKbps: kbps,
  sentKbps,
  packets,
  lost,
});

describe('the page call’s loss, over the windows not over capacity', () => {
  it('a 400 kbit/s link with no loss of its own: the congestion control’s overshoot and its lag are set apart', () => {
    // As measured in the lab (tbf 400 kbit/s): the sender offered 2–4× the rate for a second, the
    // queue then drained (little sent, much received), then it sent what the path carries.
    const overshoot = [w(596, 771, 31, 0), w(359, 1301, 18, 0), w(347, 1187, 12, 0), w(327, 643, 19, 21)];
    const drain = [w(345, 287, 23, 27), w(291, 31, 19, 6)];
    const settled = [w(340, 350, 21, 0), w(345, 360, 22, 0), w(350, 355, 22, 1)];
    const ws = [...overshoot, ...drain, ...settled];
    const l = callLoss(ws, 1);
    expect(l.overCapacity).toBe(7);
    expect(l.settled).toBe(true);
    expect(l.roundLossPct).toBeCloseTo((1 / 45) * 100, 6);
    expect(l.allRoundLossPct).toBeGreaterThan(20);
    // until enough windows follow the overshoot and its lag, the sender has not settled
    expect(senderSettled([...overshoot, ...drain], 1)).toBe(false);
    expect(senderSettled(ws, 1)).toBe(true);
    // with too short a tail, every window counts
    expect(callLoss([...overshoot, ...drain, settled[0]!], 1)).toMatchObject({ overCapacity: 0 });
  });

  it('once settled, everything after counts: a later probe’s drops are the settled call’s', () => {
    const start = [w(600, 1000, 25, 0), w(330, 960, 16, 0), w(320, 550, 22, 20)];
    const settled = [w(300, 300, 21, 0), w(300, 305, 22, 0), w(305, 300, 22, 0)];
    const probe = [w(300, 600, 20, 0), w(300, 310, 18, 4)];
    const l = callLoss([...start, ...settled, ...probe], 1);
    expect(l.overCapacity).toBe(4);
    expect(l.roundLossPct).toBeCloseTo((4 / (22 + 22 + 20 + 18 + 4)) * 100, 6);
  });

  it('what the path carries is the median received rate: a burst does not hide the overshoot', () => {
    // the overshoot offered 1.4× the rate and lost; then a window received a burst of 2.5× (a bucket
    // refilled while the sender paused), which a mean of the later half took for capacity
    const ws = [
      w(400, 400, 20, 0),
      w(400, 400, 20, 0),
      w(400, 560, 20, 8),
      w(400, 560, 20, 8),
      w(1000, 1000, 50, 0),
      w(400, 400, 20, 0),
      w(400, 400, 20, 0),
      w(400, 400, 20, 0),
    ];
    const l = callLoss(ws, 0);
    expect(l.overCapacity).toBe(5);
    expect(l.roundLossPct).toBe(0);
    expect(l.allRoundLossPct).toBeGreaterThan(5);
  });

  it('balanced windows before the overshoot are its beginning, not a settled sender', () => {
    const start = [w(600, 480, 30, 0), w(400, 420, 20, 0)]; // a bucket's burst carries the first frames
    const over = [w(400, 900, 20, 12), w(400, 1000, 20, 14), w(380, 200, 19, 6)];
    expect(callLoss([...start, ...over, w(400, 400, 20, 1)], 1)).toMatchObject({ settled: false });
    const later = [w(400, 400, 20, 0), w(400, 410, 20, 0), w(400, 400, 20, 0)];
    const l = callLoss([...start, ...over, ...later], 1);
    expect(l).toMatchObject({ settled: true, overCapacity: 6, roundLossPct: 0 });
  });

  it('a single overshoot late in the call is a probe of the settled call: its drops count, the call stays settled', () => {
    const ws = [...Array.from({ length: 8 }, () => w(400, 400, 20, 0)), w(400, 600, 20, 2), w(400, 400, 20, 0)];
    const l = callLoss(ws, 1);
    expect(l.settled).toBe(true);
    expect(l.roundLossPct).toBeCloseTo((2 / (9 * 20 + 2)) * 100, 6);
  });

  it('random loss costs every window alike and is counted in full, whatever the rate', () => {
    // 8 % random loss on an open link: the sender offers 1/0.92 of what arrives, under the overshoot bound.
    const ws = Array.from({ length: 8 }, () => w(2300, 2500, 92, 8));
    const l = callLoss(ws);
    expect(l.overCapacity).toBe(0);
    expect(l.roundLossPct).toBeCloseTo(8, 5);
  });

  it('a sender that never stops overshooting: every window counts, and the call is said not to have settled', () => {
    const ws = [w(400, 900, 20, 25), w(400, 950, 20, 27), w(400, 420, 20, 1), w(400, 1000, 20, 30)];
    const l = callLoss(ws);
    expect(l.overCapacity).toBe(0);
    expect(l.roundLossPct).toBe(l.allRoundLossPct);
    expect(l.roundLossPct).toBeGreaterThan(40);
    expect(l.settled).toBe(false);
  });

  it('without sender stats every window counts', () => {
    const ws = [w(400, null, 20, 5), w(400, null, 20, 5), w(400, null, 20, 5)];
    expect(callLoss(ws)).toEqual({ roundLossPct: 20, allRoundLossPct: 20, overCapacity: 0, settled: true });
  });

  it('no packets at all reads as total loss', () => {
    expect(callLoss([w(0, 0, 0, 0), w(0, 0, 0, 0)]).roundLossPct).toBe(100);
  });

  it('the settled rate: bytes over time, the sender’s own lulls set apart', () => {
    // sender stats: the leading windows under 9/10 of the later half's median offer (the encoder ramping up) are set apart
    const ramp = [w(100, 100, 1, 0), w(380, 390, 1, 0), w(400, 400, 1, 0), w(410, 400, 1, 0), w(390, 400, 1, 0)];
    expect(settledKbps(ramp)).toBeCloseTo(395 * 1.05, 6);
    expect(settledKbps([])).toBe(0);
    // an encoder's gradual ramp on an open link: set apart until it reaches 9/10 of its later half
    const open = [900, 1500, 1900, 2100, 2200, 2300, 2200, 2250, 2300, 2200].map((k) => w(k / 1.05, k, 100, 0));
    expect(settledKbps(open)).toBeCloseTo(15550 / 7, 6);
    // the lab's 400 kbit/s link: the congestion control backed off at the end of the direction
    const backOff = [551, 361, 399, 389, 364, 315, 396, 357, 360, 350, 136, 62].map((k) => w(k / 1.05, k, 20, 0));
    expect(settledKbps(backOff)).toBeGreaterThan(360);
    // seen in Chromium under load, target 1500: the encoder starved (660) then caught up (2280, 3400);
    // the later half alone read 1.7 Mbit/s
    const load = [1420, 1210, 1160, 1190, 1210, 1200, 660, 2280, 3400, 980].map((k) => w(k / 1.05, null, 100, 0));
    expect(settledKbps(load)).toBeLessThan(1500 * 1.1);
    // windows weigh by their length when the stats timed them
    const timed = [
      { ...w(1000, null, 1, 0), ms: 300 },
      { ...w(1200, null, 1, 0), ms: 100 },
      { ...w(1000, null, 1, 0), ms: 300 },
    ];
    expect(settledKbps(timed)).toBeCloseTo(1080, 6); // (1050·300 + 1260·100 + 1050·300) / 700
  });
});

describe('the page call’s sender has settled', () => {
  it('at once when nothing was over capacity', () => {
    expect(senderSettled([w(400, 410, 20, 0), w(400, 400, 20, 0)], 3)).toBe(true);
  });

  it('not before two windows', () => {
    expect(senderSettled([w(400, 400, 20, 0)])).toBe(false);
  });
});
