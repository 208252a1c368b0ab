import { describe, expect, it } from 'vitest';
import { createLinkPacer, createPacer } from '#node/range/pace';
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

  it('a link pacer shares one window among the batches running at once, and hands on the share of a batch that finished', () => {
    const link = createLinkPacer({ max: 192, min: 2, targetMs: 100 });
    const v4udp = link.join();
    const v4tcp = link.join();
    // an IPv4-only run: two batches, each with what one batch had alone
    expect([v4udp.window(), v4tcp.window()]).toEqual([96, 96]);
    const v6udp = link.join();
    const v6tcp = link.join();
    // dual stack: four batches together send no more than two did
    expect([v4udp, v4tcp, v6udp, v6tcp].map((b) => b.window())).toEqual([48, 48, 48, 48]);
    // late answers on any batch narrow the one window for all of them
    v6udp.answered(5);
    for (let i = 0; i < 400; i++) (i % 2 ? v4udp : v6tcp).answered(600);
    expect([v4udp, v4tcp, v6udp, v6tcp].map((b) => b.window())).toEqual([1, 1, 1, 1]);
    for (let i = 0; i < 40; i++) v4tcp.answered(20);
    expect(v4tcp.window()).toBe(10);
    v4udp.leave();
    v4udp.leave(); // leaving twice counts once
    v4tcp.leave();
    expect(v6udp.window()).toBe(21);
  });
});
