import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_STRIDE,
  discoverRanges,
  samplePlan,
  summarize,
  type PortProbe,
  type PortState,
} from '#node/range/discover';
import { normalizeRanges, subtractRanges, type PortRange } from '#common/net/ranges';

/** A simulated network: ports in `blocked` are dropped, the rest answer. Counts probes and in-flight peak. */
function simulated(blocked: PortRange[], opts: { delayMs?: number } = {}) {
  const stats = { calls: 0, inflight: 0, peak: 0, ports: new Set<number>() };
  const probe: PortProbe = async (port) => {
    stats.calls++;
    stats.ports.add(port);
    stats.inflight++;
    stats.peak = Math.max(stats.peak, stats.inflight);
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
    stats.inflight--;
    return blocked.some(([a, b]) => port >= a && port <= b) ? 'blocked' : 'open';
  };
  return { probe, stats };
}

const P2P: PortRange = [10000, 65535];
const BUDGET = Math.floor(0.02 * 55_536); // 1110 probes

describe('range discovery: simulated networks', () => {
  it('finds one blocked sub-range of 10000-65535 exactly with < 2 % of the ports', async () => {
    const { probe, stats } = simulated([[20001, 30000]]);
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 10_000 });
    expect(r.allowed).toEqual([
      [10000, 20000],
      [30001, 65535],
    ]);
    expect(r.blocked).toEqual([[20001, 30000]]);
    expect(r.unknown).toEqual([]);
    expect(r.complete).toBe(true);
    expect(r.probes).toBe(stats.calls);
    // Only blocked answers that decide a boundary are probed twice (loss is not a block).
    expect(stats.ports.size + r.confirmations).toBe(stats.calls);
    expect(r.confirmations).toBeGreaterThan(0);
    expect(r.probes).toBeLessThanOrEqual(BUDGET);
    // 435 samples + 7 bisection probes per boundary (log2 128) + the confirmed blocked answers
    expect(r.probes).toBe(435 + 2 * 7 + r.confirmations);
    expect(r.resolution).toBe(DEFAULT_STRIDE);
    expect(r.notes.join(' ')).toMatch(/narrower than 128 ports/);
    console.info(
      `[measure] 10000-65535, blocked 20001-30000: ${r.probes} probes (${((100 * r.probes) / 55_536).toFixed(2)} %), resolution ${r.resolution}`,
    );
  });

  it('with stride 1024 the same network costs 56 samples + 10 per boundary', async () => {
    const { probe } = simulated([[20001, 30000]]);
    const r = await discoverRanges({ required: [P2P], probe, stride: 1024, deadlineMs: 10_000 });
    expect(r.blocked).toEqual([[20001, 30000]]);
    expect(r.probes).toBe(56 + 2 * 10 + r.confirmations);
    expect(r.resolution).toBe(1024);
  });

  it('finds several blocked sub-ranges, including one touching the top end', async () => {
    const blocked: PortRange[] = [
      [12000, 12999],
      [40000, 40500],
      [50001, 50001 + 300],
      [65000, 65535],
    ];
    const { probe } = simulated(blocked);
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 10_000 });
    expect(r.blocked).toEqual(blocked);
    expect(r.allowed).toEqual(subtractRanges([P2P], blocked));
    expect(r.probes).toBeLessThanOrEqual(BUDGET);
  });

  it('whole range open: only the samples, no bisection', async () => {
    const { probe } = simulated([]);
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 10_000 });
    expect(r).toMatchObject({ allowed: [P2P], blocked: [], unknown: [], complete: true, probes: 435 });
  });

  it('whole range blocked', async () => {
    const { probe } = simulated([[0, 65535]]);
    const r = await discoverRanges({ required: [[10000, 60000]], probe, deadlineMs: 10_000 });
    expect(r).toMatchObject({ allowed: [], blocked: [[10000, 60000]], unknown: [], complete: true });
  });

  it('single-port holes at both ends and on a sample point are exact', async () => {
    const onSample = 10000 + 5 * 128;
    const blocked: PortRange[] = [
      [10000, 10000],
      [onSample, onSample],
      [65535, 65535],
    ];
    const { probe } = simulated(blocked);
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 10_000 });
    expect(r.blocked).toEqual(blocked);
    expect(r.allowed).toEqual([
      [10001, onSample - 1],
      [onSample + 1, 65534],
    ]);
  });

  it('a single open port inside a blocked range at the low end is exact', async () => {
    const { probe } = simulated([[10001, 65535]]);
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 10_000 });
    expect(r.allowed).toEqual([[10000, 10000]]);
    expect(r.blocked).toEqual([[10001, 65535]]);
  });

  it('documents its blind spot: a hole narrower than the stride between two open samples is not seen', async () => {
    const hidden = 10000 + 64; // between samples 10000 and 10128
    const { probe } = simulated([[hidden, hidden + 3]]);
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 10_000 });
    expect(r.blocked).toEqual([]);
    expect(r.allowed).toEqual([P2P]);
    expect(r.resolution).toBe(128);
    expect(r.notes.some((n) => n.includes('would not be seen'))).toBe(true);
  });

  it('with stride 1 every port is probed and resolution is exact', async () => {
    const { probe } = simulated([[105, 107]]);
    const r = await discoverRanges({
      required: [[100, 120]],
      probe,
      stride: 1,
      deadlineMs: 5000,
      confirmBlocked: false,
    });
    expect(r).toMatchObject({
      allowed: [
        [100, 104],
        [108, 120],
      ],
      blocked: [[105, 107]],
      resolution: 1,
      probes: 21,
      notes: [],
    });
  });

  it('never bisects across two separate required ranges', async () => {
    const { probe, stats } = simulated([[19000, 31000]]);
    const r = await discoverRanges({
      required: [
        [30000, 40000],
        [10000, 20000],
      ],
      probe,
      deadlineMs: 10_000,
    });
    expect(r.blocked).toEqual([
      [19000, 20000],
      [30000, 31000],
    ]);
    expect(r.allowed).toEqual([
      [10000, 18999],
      [31001, 40000],
    ]);
    expect([...stats.ports].some((p) => p > 20000 && p < 30000)).toBe(false);
  });

  it('keeps at most `concurrency` probes in flight', async () => {
    const { probe, stats } = simulated([[30000, 30999]], { delayMs: 1 });
    await discoverRanges({ required: [P2P], probe, concurrency: 5, deadlineMs: 20_000 });
    expect(stats.peak).toBeLessThanOrEqual(5);
    expect(stats.peak).toBeGreaterThan(1);
  });

  it('property: exact whenever every open/blocked piece is at least one stride wide', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 30 }),
        async (widths, startOffset) => {
          const stride = 64;
          const lo = 20000;
          const hi = 29999;
          // Alternating open/blocked pieces, each >= stride wide.
          const blocked: PortRange[] = [];
          let p = lo + startOffset * stride;
          let isBlocked = true;
          for (const w of widths) {
            const end = Math.min(hi, p + w * stride + (w % 7) - 1);
            if (isBlocked && p <= hi) blocked.push([p, end]);
            p = end + 1;
            isBlocked = !isBlocked;
            if (p > hi) break;
          }
          const { probe } = simulated(blocked);
          const r = await discoverRanges({ required: [[lo, hi]], probe, stride, deadlineMs: 10_000 });
          expect(r.blocked).toEqual(normalizeRanges(blocked));
          expect(r.allowed).toEqual(subtractRanges([[lo, hi]], blocked));
          expect(r.complete).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('range discovery: deadline and cancel', () => {
  /** Blocked ports never answer; the probe settles only when aborted, as a real adapter does. */
  const hanging =
    (blocked: PortRange[]): PortProbe =>
    (port, signal) => {
      if (!blocked.some(([a, b]) => port >= a && port <= b)) return Promise.resolve('open');
      return new Promise<PortState>((resolve) =>
        signal.addEventListener('abort', () => resolve('blocked'), { once: true }),
      );
    };

  it('stops at the deadline and reports what it could not resolve as unknown', async () => {
    const start = Date.now();
    const r = await discoverRanges({
      required: [P2P],
      probe: hanging([[30000, 65535]]),
      concurrency: 8,
      deadlineMs: 200,
    });
    expect(Date.now() - start).toBeLessThan(200 + 2000);
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('timeout');
    expect(r.unknown.length).toBeGreaterThan(0);
    expect(r.blocked).toEqual([]); // answers racing the deadline are not trusted
    // everything it did claim is true
    expect(subtractRanges(r.allowed, [[10000, 29999]])).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/time limit/);
  });

  it('stops on abort', async () => {
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 50);
    const r = await discoverRanges({
      required: [P2P],
      probe: hanging([[0, 65535]]),
      deadlineMs: 10_000,
      signal: ctrl.signal,
    });
    expect(r.stopped).toBe('aborted');
    expect(r.unknown).toEqual([P2P]);
    expect(r.probes).toBe(32);
  });

  it('an already-aborted signal probes nothing', async () => {
    const r = await discoverRanges({
      required: [P2P],
      probe: hanging([]),
      deadlineMs: 1000,
      signal: AbortSignal.abort(),
    });
    expect(r).toMatchObject({ probes: 0, unknown: [P2P], resolution: 0, complete: false });
  });

  it('a probe that throws counts as blocked and is reported', async () => {
    const r = await discoverRanges({
      required: [[100, 110]],
      stride: 1,
      deadlineMs: 1000,
      probe: async (p) => {
        if (p === 105) throw new Error('EPERM');
        return 'open';
      },
    });
    expect(r.blocked).toEqual([[105, 105]]);
    expect(r.errors).toBe(2); // it decides a boundary, so it is asked twice
  });
});

/** 115-117 blocked, everything else open, each answer after `delayMs`; every second probe of a port waits until the sweep ends. */
function silentSecondProbes(delayMs: number) {
  const asked = new Map<number, number>();
  const probe = async (p: number, signal: AbortSignal): Promise<'open' | 'blocked'> => {
    const n = (asked.get(p) ?? 0) + 1;
    asked.set(p, n);
    if (n > 1) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return p >= 115 && p <= 117 ? 'blocked' : 'open';
  };
  return { probe, asked };
}

describe('range discovery: loss is not a block', () => {
  it('a lost answer at a boundary is asked again, so the boundary stays exact', async () => {
    const lost = new Set([29999, 30000]); // the first answer from each of these ports is lost
    const probe = async (p: number): Promise<'open' | 'blocked'> => {
      if (lost.delete(p)) return 'blocked';
      return p >= 30001 && p <= 39999 ? 'blocked' : 'open';
    };
    const r = await discoverRanges({ required: [[10000, 60000]], probe, deadlineMs: 5000 });
    expect(r.blocked).toEqual([[30001, 39999]]);
    expect(r.allowed).toEqual([
      [10000, 30000],
      [40000, 60000],
    ]);
  });
  it('a queue that overflowed in the first burst (many neighbouring answers lost together) is no block', async () => {
    // A slow link: every probe sent in the first 300 ms is dropped by a full queue, later ones get
    // through; each answer takes 10 ms. 30000-30999 really is blocked.
    const t0 = Date.now();
    const probe = async (p: number): Promise<'open' | 'blocked'> => {
      const lost = Date.now() - t0 < 300;
      await new Promise((r) => setTimeout(r, 10));
      if (lost) return 'blocked';
      return p >= 30000 && p <= 30999 ? 'blocked' : 'open';
    };
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 3000, concurrency: 8 });
    expect(r.blocked).toEqual([[30000, 30999]]);
    expect(r.allowed).toEqual([
      [10000, 29999],
      [31000, 65535],
    ]);
    expect(r.complete).toBe(true);
  });
  it('time running out before the second probe leaves a run heard blocked once unresolved, not blocked', async () => {
    // The lab's dual-stack 400 kbit/s link: the first samples over IPv6 were all lost in a full
    // queue, later ones answered, and the sweep's time ran out before any confirmation went out.
    const t0 = Date.now();
    const probe = async (p: number, signal: AbortSignal): Promise<'open' | 'blocked'> => {
      if (p > 40000) await new Promise((r) => signal.addEventListener('abort', r, { once: true })); // never answers in time
      const lost = Date.now() - t0 < 100;
      await new Promise((r) => setTimeout(r, 10));
      return lost ? 'blocked' : 'open';
    };
    const r = await discoverRanges({ required: [P2P], probe, deadlineMs: 400, concurrency: 4 });
    expect(r.blocked).toEqual([]);
    expect(r.confirmations).toBe(0);
    expect(r.unknown[0]![0]).toBe(10000); // the lost run, from the range's start
    expect(r.allowed.length).toBeGreaterThan(0);
    expect(r.notes.join(' ')).toMatch(/runs of single blocked answers next to open ports had no answer/);
    // with the time for the second probe, a real block beside open ports still counts
    const real = await discoverRanges({
      required: [P2P],
      probe: async (p) => (p < 20000 ? 'blocked' : 'open'),
      deadlineMs: 5000,
    });
    expect(real.blocked).toEqual([[10000, 19999]]);
  });
  it('a block without a second answer, when time ran out before every sample was sent, is not resolved: neither blocked nor filled in as open', async () => {
    // 115-117 really is blocked: narrower than the stride, so its open neighbours lie close enough
    // to be taken for one open span. The sweep is slow (20 ms an answer, 4 at once) and its plan
    // (100-2000) far from sent when time is up, so no second probe goes out.
    const { probe, asked } = silentSecondProbes(20);
    const opts = { required: [[100, 2000]] as PortRange[], stride: 8, probe, deadlineMs: 300, concurrency: 4 };
    const r = await discoverRanges(opts);
    expect(r.blocked).toEqual([]);
    expect(r.unknown[0]).toEqual([115, 117]);
    expect(r.allowed[0]).toEqual([100, 114]);
    expect(r.allowed[1]![0]).toBe(118);
    expect(r.confirmations).toBe(0);
    expect(r.notes.join(' ')).toMatch(/not resolved, not as blocked/);
    // on a link whose round trips fit inside a probe's wait, the first blocked answers stand
    asked.clear();
    const fast = await discoverRanges({ ...opts, trustFirstBlocked: () => true });
    expect(fast.blocked).toEqual([[115, 117]]);
    expect(fast.notes.join(' ')).not.toMatch(/not resolved, not as blocked/);
  });

  it('once every sample was sent, a block heard once stands although its second probe did not answer in time', async () => {
    const { probe } = silentSecondProbes(0);
    const r = await discoverRanges({ required: [[100, 140]], stride: 8, probe, deadlineMs: 300 });
    expect(r.blocked).toEqual([[115, 117]]);
    expect(r.allowed).toEqual([
      [100, 114],
      [118, 140],
    ]);
    expect(r.confirmations).toBe(0); // sent, never answered: not counted as probed twice
  });

  it('a fully blocked range costs one round of samples: nothing decides a boundary, nothing is repeated', async () => {
    let calls = 0;
    const r = await discoverRanges({
      required: [[10000, 65535]],
      probe: async () => {
        calls++;
        return 'blocked';
      },
      deadlineMs: 5000,
    });
    expect(r.blocked).toEqual([[10000, 65535]]);
    expect(calls).toBe(samplePlan([[10000, 65535]], 128).length);
    expect(r.confirmations).toBe(0);
  });
});

describe('summarize and samplePlan', () => {
  it('plans both ends and every stride', () => {
    expect(
      samplePlan(
        [
          [10, 30],
          [40, 40],
        ],
        8,
      ),
    ).toEqual([10, 18, 26, 30, 40]);
  });
  it('treats agreeing samples further apart than the stride as unknown', () => {
    const known = new Map<number, PortState>([
      [0, 'open'],
      [10, 'open'],
      [100, 'open'],
    ]);
    const r = summarize([[0, 100]], known, [0, 10, 100], { stride: 10, probes: 3, errors: 0, stopped: 'timeout' });
    expect(r.allowed).toEqual([
      [0, 10],
      [100, 100],
    ]);
    expect(r.unknown).toEqual([[11, 99]]);
  });
});
