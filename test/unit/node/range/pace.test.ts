import { describe, expect, it } from 'vitest';
import { createPacer } from '#node/range/pace';
import { discoverRanges } from '#node/range/discover';

describe('range pacing: the window follows the queueing delay of the answers', () => {
  it('starts wide, narrows on late answers down to its floor, widens again when the queue drains', () => {
    const p = createPacer({ max: 96, min: 2, targetMs: 100 });
    expect(p.window()).toBe(96);
    p.answered(5); // base round trip
    expect(p.window()).toBe(96);
    for (let i = 0; i < 200; i++) p.answered(400); // 395 ms of queue
    expect(p.window()).toBe(2);
    for (let i = 0; i < 10; i++) p.answered(50); // 45 ms over the base: within target
    expect(p.window()).toBe(12);
  });

  it('discovery never has more probes in flight than the window allows', async () => {
    let inflight = 0;
    let peak = 0;
    const d = await discoverRanges({
      required: [[10000, 12000]],
      concurrency: 32,
      window: () => 3,
      deadlineMs: 5000,
      probe: async () => {
        peak = Math.max(peak, ++inflight);
        await new Promise((r) => setTimeout(r, 1));
        inflight--;
        return 'open';
      },
    });
    expect(d.allowed).toEqual([[10000, 12000]]);
    expect(peak).toBe(3);
  });
});
