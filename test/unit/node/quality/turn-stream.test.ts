import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureTurnQuality } from '#node/quality/turn-stream';
import { QualityResultSchema } from '#common/quality/schema';
import { startCoturn, type Coturn } from '../stun/coturn-harness';
import { missingPrereqs, prereqs } from '#test/support/prereq';

/**
 * The engine's relay quality stream against a real coturn on loopback, over UDP, TCP and TLS.
 * Loopback carries far more than any target, so every transport must reach the target rate with no
 * loss; the shaped and lossy cases are in the lab (test/lab/quality.test.ts).
 */
const skip = missingPrereqs('coturn quality stream', [prereqs.coturn]);
const creds = { username: 'u', credential: 'p' };

describe.skipIf(skip)('TURN quality stream (real coturn)', () => {
  let turn: Coturn;
  beforeAll(async () => {
    turn = await startCoturn({ allowLoopbackPeers: true });
  });
  afterAll(async () => {
    await turn?.stop();
  });

  it.each(['udp', 'tcp', 'tls'] as const)(
    'reaches the target both ways over %s, no loss, within its deadline',
    async (transport) => {
      const port = transport === 'tls' ? turn.tlsPort : turn.port;
      const m = await measureTurnQuality({ host: '127.0.0.1', port, transport }, creds, {
        targetKbps: 2500,
        tls: { ca: turn.caPem },
        localAddress: '127.0.0.1',
      });
      // 'time' when a busy machine's timers cost a window: the rates below are still the answer
      expect(['target-met', 'time'], m.detail).toContain(m.reason);
      const q = QualityResultSchema.parse(m.quality);
      expect(q).toMatchObject({
        id: `quality:turn-${transport}:127.0.0.1:${port}`,
        path: `turn-${transport}`,
        sensor: 'engine',
        method: 'turn-stream',
        grade: 'good',
        limitedBy: [],
      });
      // On a machine too busy to pace 2.5 Mbit/s (late timers), the entry must say so in its notes
      const behind = m.evidence.senderBehind === true;
      expect(q.notes!.some((n) => n.includes('too busy'))).toBe(behind);
      for (const kbps of [q.upKbps, q.downKbps]) {
        expect(kbps, JSON.stringify(m.evidence.windows)).toBeGreaterThan(2500 * (behind ? 0.5 : 0.9));
        expect(kbps).toBeLessThan(2500 * 1.15); // paced: never a flood above the target
      }
      expect(q.lossPct).toBe(0);
      expect(q.rttMs).not.toBeNull();
      expect(q.samples.length).toBeGreaterThanOrEqual(4);
      // the ramp: it starts below the target and grows
      expect(q.samples[0]![1]).toBeLessThan(q.samples[2]![1]);
      expect(q.durationMs).toBeLessThanOrEqual(3000);
      expect(m.evidence.pings).toEqual({ sent: 10, received: 10 });
    },
  );

  it('stops at a lower target as soon as it is met', async () => {
    const m = await measureTurnQuality({ host: '127.0.0.1', port: turn.port, transport: 'udp' }, creds, {
      targetKbps: 300,
      localAddress: '127.0.0.1',
    });
    expect(m.reason).toBe('target-met');
    // 300 kbit/s starts at the target: two windows each way are enough (a busy machine may add one or two)
    for (const w of m.evidence.windows as unknown[][]) expect(w.length).toBeLessThanOrEqual(4);
    expect(m.quality!.upKbps).toBeGreaterThan(270);
  });

  it('refuses wrong credentials without a quality entry', async () => {
    const m = await measureTurnQuality(
      { host: '127.0.0.1', port: turn.port, transport: 'udp' },
      { username: 'u', credential: 'wrong' },
      { localAddress: '127.0.0.1' },
    );
    expect(m.quality).toBeUndefined();
    expect(m.reason).toBe('auth-failed');
  });

  it('honours an AbortSignal promptly, mid-stream', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 400);
    const m = await measureTurnQuality({ host: '127.0.0.1', port: turn.port, transport: 'udp' }, creds, {
      signal: ac.signal,
      localAddress: '127.0.0.1',
    });
    expect(m.reason).toBe('aborted');
    expect(m.quality).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('gives up on a silent server at its deadline', async () => {
    const m = await measureTurnQuality({ host: '127.0.0.1', port: turn.relayRange[1] + 7, transport: 'udp' }, creds, {
      deadlineMs: 600,
      localAddress: '127.0.0.1',
    });
    expect(['timeout', 'refused']).toContain(m.reason);
    expect(m.quality).toBeUndefined();
  });
});
