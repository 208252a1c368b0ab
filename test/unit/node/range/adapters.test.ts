import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverRanges } from '#node/range/discover';
import { createTcpRangeProbe } from '#node/range/tcp-probe';
import { createUdpRangeProbe, type StunPortProbe } from '#node/range/udp-probe';

const WIDTH = 200;
const GAP: [number, number] = [70, 129]; // offsets left unbound → connection refused → blocked

/** Listens on WIDTH consecutive loopback ports except the GAP, below the ephemeral range to avoid clashes. */
async function listenRange(): Promise<{ base: number; servers: net.Server[] }> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const base = 10000 + Math.floor(Math.random() * 20000);
    const servers: net.Server[] = [];
    let ok = true;
    for (let off = 0; off < WIDTH && ok; off++) {
      if (off >= GAP[0] && off <= GAP[1]) continue;
      const s = net.createServer((c) => c.destroy());
      ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.listen(base + off, '127.0.0.1', () => resolve(true));
      });
      if (ok) servers.push(s);
    }
    if (ok) return { base, servers };
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
  throw new Error('could not find 200 free consecutive loopback ports');
}

describe('range discovery over real TCP on loopback', () => {
  let base = 0;
  let servers: net.Server[] = [];
  beforeAll(async () => {
    ({ base, servers } = await listenRange());
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('finds the exact boundaries of the unbound gap via real connects', async () => {
    const { probe, reasons } = createTcpRangeProbe('127.0.0.1', { perProbeMs: 2000 });
    const r = await discoverRanges({ required: [[base, base + WIDTH - 1]], probe, stride: 16, deadlineMs: 20_000 });
    expect(r.blocked).toEqual([[base + GAP[0], base + GAP[1]]]);
    expect(r.allowed).toEqual([
      [base, base + GAP[0] - 1],
      [base + GAP[1] + 1, base + WIDTH - 1],
    ]);
    expect(r.complete).toBe(true);
    expect(r.probes).toBeLessThan(WIDTH / 4);
    expect(Object.keys(reasons)).toEqual(['refused']);
  });
});

describe('UDP range adapter', () => {
  it('retries once on silence (loss is not a block) but not on a local EPERM', async () => {
    const calls: number[] = [];
    const lossy: StunPortProbe = async (port) => {
      calls.push(port);
      if (port === 1) return { status: 'fail', reason: 'timeout' }; // always silent
      if (port === 2)
        return calls.filter((p) => p === 2).length === 1
          ? { status: 'fail', reason: 'timeout' }
          : { status: 'pass', reason: 'ok' };
      if (port === 3) return { status: 'fail', reason: 'local-blocked' };
      return { status: 'pass', reason: 'ok' };
    };
    const { probe, reasons, retries } = createUdpRangeProbe(lossy, { perProbeMs: 100 });
    const signal = new AbortController().signal;
    expect(await probe(1, signal)).toBe('blocked');
    expect(await probe(2, signal)).toBe('open');
    expect(await probe(3, signal)).toBe('blocked');
    expect(await probe(4, signal)).toBe('open');
    expect(calls).toEqual([1, 1, 2, 2, 3, 4]);
    expect(retries.count).toBe(2);
    expect(reasons).toEqual({ timeout: 1, 'local-blocked': 1 });
  });

  it('a reflector that answers wrongly (bad-response) does not make the port blocked: open, counted, not retried', async () => {
    let calls = 0;
    const { probe, reasons, answeredWrongly } = createUdpRangeProbe(
      async () => {
        calls++;
        return { status: 'fail', reason: 'bad-response' };
      },
      { perProbeMs: 100 },
    );
    expect(await probe(7, new AbortController().signal)).toBe('open');
    expect(calls).toBe(1);
    expect(answeredWrongly.count).toBe(1);
    expect(reasons).toEqual({});
  });

  it('passes its per-probe deadline and the discovery signal to the STUN probe', async () => {
    const seen: { deadlineMs: number; aborted: boolean }[] = [];
    const { probe } = createUdpRangeProbe(
      async (_port, o) => {
        seen.push({ deadlineMs: o.deadlineMs, aborted: o.signal?.aborted ?? true });
        return { status: 'pass', reason: 'ok' };
      },
      { perProbeMs: 321 },
    );
    await probe(5, new AbortController().signal);
    expect(seen).toEqual([{ deadlineMs: 321, aborted: false }]);
  });
});
