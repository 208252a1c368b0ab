import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckContext, CheckDescriptor } from '#node/engine/check';
import { RttRegistry } from '#node/engine/deadlines';
import { runProbe, slowLinkDeadline, SLOW_LINK } from '#node/engine/probe-run';
import type { Outcome } from '#node/engine/outcome';
import { tcpConnect } from '#node/probes/tcp';

/**
 * The second try on a slow link (engine/probe-run.ts), with real sockets: a loopback server whose
 * TCP handshake completes (the far side is heard), then an exchange that takes `exchangeMs`, as a
 * TLS handshake on a queued link does.
 */
let server: Server;
let port: number;
beforeEach(async () => {
  server = createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterEach(() => server.close());

function ctxFor(remainingMs = 60_000): Omit<CheckContext, 'signal'> & { asked: (4 | 6 | undefined)[] } {
  const asked: (4 | 6 | undefined)[] = [];
  return {
    asked,
    addressOf: (_name, family) => {
      asked.push(family);
      return family === 6 ? '::1' : '127.0.0.1';
    },
    learnAddress: () => {},
    proxy: null,
    credentials: null,
    reportNat: () => {},
    reportQuality: () => {},
    qualitySoFar: () => [],
    resultOf: () => undefined,
    remainingMs: () => remainingMs,
  };
}

/** A TLS-like check: connects (heard) unless `silent`, then needs `exchangeMs` within its deadline. */
function slowCheck(exchangeMs: number, deadlineMs: number, opts: { silent?: boolean; family?: 4 | 6 } = {}) {
  const tries: number[] = [];
  const d: CheckDescriptor = {
    id: 'tls:sig.lab.test:443',
    kind: 'tls',
    label: 'Signaling TLS',
    host: 'sig.lab.test',
    port,
    deadlineMs,
    ...(opts.family ? { family: opts.family } : {}),
    async run(ctx): Promise<Outcome> {
      const ms = ctx.deadlineMs ?? deadlineMs;
      tries.push(ms);
      if (!opts.silent) await tcpConnect('127.0.0.1', port, { deadlineMs: ms, signal: ctx.signal });
      await new Promise((r) => setTimeout(r, Math.min(ms, exchangeMs)));
      return exchangeMs <= ms
        ? { status: 'pass', reason: 'ok', detail: 'TLS handshake completed.', evidence: {} }
        : { status: 'fail', reason: 'timeout', detail: `No answer within ${ms} ms.`, evidence: { stage: 'handshake' } };
    },
  };
  return { d, tries };
}

describe('slowLinkDeadline', () => {
  it('asks for more only when the round trips say the fixed deadline is short, up to twice it', () => {
    const reg = new RttRegistry();
    expect(slowLinkDeadline(reg, '10.0.0.1', 3000)).toBeNull(); // nothing measured
    reg.observe('10.0.0.1', 100);
    expect(slowLinkDeadline(reg, '10.0.0.1', 3000)).toBeNull(); // 5 × 100 + 250 fits in 3 s
    reg.observe('10.0.0.1', 700);
    expect(slowLinkDeadline(reg, '10.0.0.1', 3000)).toEqual({ ms: 3750, rttMs: 700, from: '10.0.0.1' });
    reg.observe('10.0.0.1', 1400);
    expect(slowLinkDeadline(reg, '10.0.0.1', 3000)!.ms).toBe(3000 * SLOW_LINK.maxStretch);
  });
});

describe('runProbe on a slow link (real sockets)', () => {
  it('a check that heard the server but ran out of time is tried once more with the longer deadline, and says so', async () => {
    const reg = new RttRegistry();
    reg.observe('127.0.0.1', 100); // a queued link: 5 × 100 + 250 = 750 ms wanted, 2 × 200 allowed
    const { d, tries } = slowCheck(300, 200);
    const out = await runProbe(reg, d, ctxFor(), new AbortController().signal);
    expect(tries).toEqual([200, 400]);
    expect(out.status).toBe('pass');
    expect(out.detail).toContain('on a second try with 400 ms');
    expect(out.detail).toContain('round trips to 127.0.0.1 read 100 ms');
    expect(out.evidence['slowLink']).toEqual({ firstDeadlineMs: 200, deadlineMs: 400, rttMs: 100, from: '127.0.0.1' });
  });

  it('still failing after the second try: a timeout that names both tries', async () => {
    const reg = new RttRegistry();
    reg.observe('127.0.0.1', 100);
    const { d, tries } = slowCheck(1000, 200);
    const out = await runProbe(reg, d, ctxFor(), new AbortController().signal);
    expect(tries).toEqual([200, 400]);
    expect(out).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(out.detail).toContain("That was a second try with 400 ms: the first try's 200 ms ran out");
  });

  it('no second try for a silent server, an ordinary link, or a run without the time for it', async () => {
    const reg = new RttRegistry();
    reg.observe('127.0.0.1', 100);
    const silent = slowCheck(300, 200, { silent: true });
    expect((await runProbe(reg, silent.d, ctxFor(), new AbortController().signal)).reason).toBe('timeout');
    expect(silent.tries).toEqual([200]);

    const late = slowCheck(300, 200);
    await runProbe(reg, late.d, ctxFor(500), new AbortController().signal);
    expect(late.tries).toEqual([200]);

    const fast = new RttRegistry();
    fast.observe('127.0.0.1', 1);
    // 5 × 1 + 250 ms fits in 500: the check's own deadline was enough for this link's round trips
    const ordinary = slowCheck(600, 500);
    expect((await runProbe(fast, ordinary.d, ctxFor(), new AbortController().signal)).reason).toBe('timeout');
    expect(ordinary.tries).toEqual([500]);
  });

  it('a check pinned to IPv6 takes its round trips at its IPv6 address', async () => {
    const reg = new RttRegistry();
    reg.observe('127.0.0.1', 100); // IPv4's slow round trip says nothing of IPv6's path
    const ctx = ctxFor();
    const { d, tries } = slowCheck(300, 200, { family: 6 });
    await runProbe(reg, d, ctx, new AbortController().signal);
    expect(ctx.asked).toContain(6);
    expect(tries).toEqual([200]);
  });

  it('a silent UDP check marks its endpoint silent at its own family’s address (the NAT test and relay proof end on it)', async () => {
    const reg = new RttRegistry();
    const silentUdp = (family?: 4 | 6): CheckDescriptor => ({
      id: 'stun:udp:turn.lab.test:3478',
      kind: 'stun',
      label: 'STUN over UDP',
      transport: 'udp',
      host: 'turn.lab.test',
      port: 3478,
      deadlineMs: 50,
      ...(family ? { family } : {}),
      run: async () => {
        await new Promise((r) => setTimeout(r, 50));
        return { status: 'fail', reason: 'timeout', detail: 'No answer.', evidence: {} };
      },
    });
    await runProbe(reg, silentUdp(6), ctxFor(), new AbortController().signal);
    expect(reg.isSilent('::1', 3478)).toBe(true);
    expect(reg.isSilent('127.0.0.1', 3478)).toBe(false); // an IPv6 block says nothing of IPv4
    await runProbe(reg, silentUdp(), ctxFor(), new AbortController().signal);
    expect(reg.isSilent('127.0.0.1', 3478)).toBe(true);
  });

  it("before IPv6 has a round trip of its own, a silent IPv6 twin is cut by the same server's IPv4 one", async () => {
    const reg = new RttRegistry();
    reg.observe('127.0.0.1', 20); // IPv4 answered; IPv6 (::1 here) is black-holed
    const start = Date.now();
    const out = await runProbe(
      reg,
      {
        id: 'stun:udp:turn.lab.test:3478/v6',
        kind: 'stun',
        label: 'STUN over UDP',
        transport: 'udp',
        host: 'turn.lab.test',
        port: 3478,
        family: 6,
        deadlineMs: 3000,
        run: (ctx) =>
          new Promise<Outcome>((resolve) =>
            ctx.signal.addEventListener('abort', () =>
              resolve({ status: 'fail', reason: 'aborted', detail: 'aborted', evidence: {} }),
            ),
          ),
      },
      ctxFor(),
      new AbortController().signal,
    );
    expect(out).toMatchObject({ reason: 'timeout', evidence: { deadline: { basis: 'rtt', from: '127.0.0.1' } } });
    expect(Date.now() - start).toBeLessThan(2500); // the 1.25 s floor, not the 3 s deadline
    expect(reg.isSilent('::1', 3478)).toBe(true);
  });
});
