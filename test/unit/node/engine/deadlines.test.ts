import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RttRegistry,
  SILENCE,
  armSilentDeadline,
  deadlineNow,
  policyFor,
  sameNetwork,
  withSilentDeadline,
  type Timers,
} from '#node/engine/deadlines';
import type { Outcome } from '#node/engine/outcome';
import { tcpConnect } from '#node/probes/tcp';

/** A clock the test moves by hand: timers fire only when `advance` passes them. */
function fakeTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => {
      due.delete(h as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = end;
    },
  };
}

describe('deadlineNow: clamp(k·RTT + margin, floor, ceiling)', () => {
  it('derives from the largest round trip to the address, never below the floor nor above the ceiling', () => {
    const reg = new RttRegistry(fakeTimers());
    reg.observe('10.0.0.1', 2);
    expect(deadlineNow(reg, '10.0.0.1', 3000, 0)).toMatchObject({ ms: SILENCE.floorMs, why: 'rtt', rttMs: 2 });
    reg.observe('10.0.0.1', 400);
    reg.observe('10.0.0.1', 100); // a smaller sample does not lower the bound
    expect(deadlineNow(reg, '10.0.0.1', 3000, 0)).toMatchObject({ ms: 4 * 400 + 250, rttMs: 400 });
    reg.observe('10.0.0.1', 900);
    expect(deadlineNow(reg, '10.0.0.1', 3000, 0)).toMatchObject({ ms: 3000, why: 'ceiling' });
  });

  it('borrows the round trip of the same /24 (or /48), never of another network', () => {
    const reg = new RttRegistry(fakeTimers());
    reg.observe('192.0.2.10', 300);
    expect(deadlineNow(reg, '192.0.2.20', 3000, 0)).toMatchObject({ ms: 1450, from: '192.0.2.10' });
    // Something answered elsewhere, nothing on this network: no basis to cut, the ceiling stands.
    expect(deadlineNow(reg, '198.51.100.7', 3000, 0)).toMatchObject({ ms: 3000, why: 'ceiling' });
    expect(sameNetwork('2001:db8:1::1', '2001:db8:1:ff::9')).toBe(true);
    expect(sameNetwork('2001:db8:1::1', '2001:db8:2::1')).toBe(false);
    expect(sameNetwork('10.1.2.3', '2001:db8::1')).toBe(false);
  });

  it('with nothing answered at all, the unanswered window counts from the run start', () => {
    const t = fakeTimers();
    const reg = new RttRegistry(t);
    expect(deadlineNow(reg, '10.0.0.1', 3000, 0)).toMatchObject({ ms: 2000, why: 'unanswered' });
    // A probe started 600 ms into a silent run waits what is left of the window, but at least its floor.
    expect(deadlineNow(reg, '10.0.0.1', 3000, 600)).toMatchObject({ ms: 1400 });
    expect(deadlineNow(reg, '10.0.0.1', 3000, 1900)).toMatchObject({ ms: SILENCE.floorMs });
    // Range probes: the first wave keeps its own 700 ms, later ones their floor.
    expect(deadlineNow(reg, '10.0.0.1', 700, 0, SILENCE.range)).toMatchObject({ why: 'ceiling' });
    expect(deadlineNow(reg, '10.0.0.1', 700, 800, SILENCE.range)).toMatchObject({ ms: 300, why: 'unanswered' });
  });
});

describe('armSilentDeadline: a running probe follows new round trips', () => {
  it('is cut short when a round trip arrives after it started', () => {
    const t = fakeTimers();
    const reg = new RttRegistry(t);
    reg.observe('10.9.9.9', 5); // something answered, not this network: the ceiling (caller's timer) holds
    const d = armSilentDeadline({ registry: reg, address: '10.0.0.1', ceilingMs: 3000, mode: 'rtt' });
    t.advance(1000);
    expect(d.signal.aborted).toBe(false);
    reg.observe('10.0.0.1', 10); // deadline becomes 1250 ms from the start: already 1000 ms in
    t.advance(249);
    expect(d.signal.aborted).toBe(false);
    t.advance(1);
    expect(d.signal.aborted).toBe(true);
    expect(d.fired()).toMatchObject({ ms: 1250, why: 'rtt', rttMs: 10 });
  });

  it('is lengthened when a late answer shows a slow path', () => {
    const t = fakeTimers();
    const reg = new RttRegistry(t);
    reg.observe('10.0.0.1', 1);
    const d = armSilentDeadline({ registry: reg, address: '10.0.0.1', ceilingMs: 3000, mode: 'rtt' });
    t.advance(1200);
    reg.observe('10.0.0.1', 500); // 4·500 + 250 = 2250
    t.advance(1000);
    expect(d.signal.aborted).toBe(false);
    t.advance(50);
    expect(d.fired()).toMatchObject({ ms: 2250 });
  });

  it('stands down once the probe heard from the far side', () => {
    const t = fakeTimers();
    const reg = new RttRegistry(t);
    reg.observe('10.0.0.1', 1);
    const d = armSilentDeadline({ registry: reg, address: '10.0.0.1', ceilingMs: 3000, mode: 'rtt' });
    t.advance(100);
    d.heard();
    t.advance(5000);
    expect(d.signal.aborted).toBe(false);
    expect(d.fired()).toBeNull();
  });

  it('endpoint mode ends as soon as another check found the UDP endpoint silent', () => {
    const t = fakeTimers();
    const reg = new RttRegistry(t);
    const d = armSilentDeadline({ registry: reg, address: '10.0.0.1', port: 3478, ceilingMs: 4000, mode: 'endpoint' });
    t.advance(3000);
    expect(d.signal.aborted).toBe(false); // no round trips matter here, only the endpoint's silence
    reg.markSilent('10.0.0.1', 3479);
    expect(d.signal.aborted).toBe(false);
    reg.markSilent('10.0.0.1', 3478);
    expect(d.fired()).toMatchObject({ why: 'endpoint-silent' });
  });
});

describe('withSilentDeadline', () => {
  const aborted = (signal: AbortSignal): Promise<Outcome> =>
    new Promise((resolve) =>
      signal.addEventListener('abort', () =>
        resolve({ status: 'fail', reason: 'aborted', detail: 'aborted', evidence: { phase: 'x' } }),
      ),
    );

  it('reports a cut as a timeout that says what it was derived from, and marks the endpoint silent', async () => {
    const t = fakeTimers();
    const reg = new RttRegistry(t);
    reg.observe('10.0.0.1', 20);
    const p = withSilentDeadline(
      {
        registry: reg,
        address: '10.0.0.1',
        port: 3478,
        ceilingMs: 3000,
        mode: 'rtt',
        markSilent: true,
        signal: new AbortController().signal,
      },
      aborted,
    );
    t.advance(1250);
    const out = await p;
    expect(out).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(out.detail).toContain('20 ms measured to 10.0.0.1');
    expect(out.evidence).toMatchObject({ phase: 'x', deadline: { ms: 1250, basis: 'rtt', rttMs: 20 } });
    expect(reg.isSilent('10.0.0.1', 3478)).toBe(true);
  });

  it("a caller's cancel stays a cancel, not a timeout", async () => {
    const reg = new RttRegistry(fakeTimers());
    const c = new AbortController();
    const p = withSilentDeadline(
      { registry: reg, address: '10.0.0.1', ceilingMs: 3000, mode: 'rtt', signal: c.signal },
      aborted,
    );
    c.abort();
    expect(await p).toMatchObject({ reason: 'aborted' });
  });

  it('an answer teaches the registry its round trip', async () => {
    const reg = new RttRegistry(fakeTimers());
    await withSilentDeadline(
      { registry: reg, address: '10.0.0.1', ceilingMs: 3000, mode: 'rtt', signal: new AbortController().signal },
      async () => ({ status: 'pass', reason: 'ok', detail: '', rttMs: 42, evidence: {} }),
    );
    expect(reg.rttFor('10.0.0.1')).toEqual({ rttMs: 42, from: '10.0.0.1' });
  });
});

describe('a probe that heard from the far side keeps its full deadline (real sockets)', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('a TCP connect that completed ends the silence: the derived cut no longer applies', async () => {
    server = createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const reg = new RttRegistry(); // real clock
    reg.observe('127.0.0.1', 0);
    let cutWhileHearing = false;
    const out = await withSilentDeadline(
      { registry: reg, address: '127.0.0.1', ceilingMs: 5000, mode: 'rtt', signal: new AbortController().signal },
      async (signal) => {
        const o = await tcpConnect('127.0.0.1', port, { deadlineMs: 5000, signal });
        // Connected (heard); now wait past the floor as a slow handshake would.
        await new Promise((r) => setTimeout(r, SILENCE.floorMs + 150));
        cutWhileHearing = signal.aborted;
        return o;
      },
    );
    expect(cutWhileHearing).toBe(false);
    expect(out.status).toBe('pass');
  });
});

describe('policyFor: which checks may be cut, and how', () => {
  it('direct TCP/TLS/UDP checks by round trips; NAT and relay by their endpoint; never through a proxy, DNS or quality', () => {
    expect(policyFor({ kind: 'tls' }, false)).toEqual({ mode: 'rtt', markSilent: false });
    expect(policyFor({ kind: 'tls' }, true)).toBeNull();
    expect(policyFor({ kind: 'turn', transport: 'tls' }, true)).toBeNull();
    expect(policyFor({ kind: 'turn', transport: 'udp' }, true)).toEqual({ mode: 'rtt', markSilent: true });
    expect(policyFor({ kind: 'stun', transport: 'udp' }, false)).toEqual({ mode: 'rtt', markSilent: true });
    expect(policyFor({ kind: 'nat', transport: 'udp' }, false)?.mode).toBe('endpoint');
    expect(policyFor({ kind: 'relay', transport: 'udp' }, false)?.mode).toBe('endpoint');
    expect(policyFor({ kind: 'dns' }, false)).toBeNull();
    expect(policyFor({ kind: 'quality', transport: 'udp' }, false)).toBeNull();
  });
});
