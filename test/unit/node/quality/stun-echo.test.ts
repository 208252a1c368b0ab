import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureStunEcho } from '#node/quality/stun-echo';
import { supports } from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, QualityResultSchema } from '#common/quality/schema';
import { startCoturn, type Coturn } from '../stun/coturn-harness';
import { missingPrereqs, prereqs } from '#test/support/prereq';

const skip = missingPrereqs('coturn STUN echo', [prereqs.coturn]);

describe.skipIf(skip)('direct UDP quality by STUN echo (real coturn)', () => {
  let turn: Coturn;
  beforeAll(async () => {
    turn = await startCoturn();
  });
  afterAll(async () => {
    await turn?.stop();
  });

  it('measures round trip, jitter and loss, and says it measured no throughput', async () => {
    const m = await measureStunEcho(
      { host: '127.0.0.1', port: turn.port, transport: 'udp' },
      { durationMs: 400, localAddress: '127.0.0.1' },
    );
    const q = QualityResultSchema.parse(m.quality);
    expect(m.evidence).toMatchObject({ sent: 20, answered: 20 });
    expect(q).toMatchObject({
      path: 'direct-udp',
      method: 'stun-echo',
      bandwidthMeasured: false,
      lossPct: 0,
      grade: 'good',
      rttLoadedMs: null,
    });
    expect(q.rttMs).toBeLessThan(50);
    // a STUN echo never proves video
    expect(supports(q, DEFAULT_QUALITY_RATES)).toBe('audio');
    expect(m.detail).toContain('throughput is not measured');
  });

  it('reports nothing answered on a silent port, without an entry', async () => {
    const m = await measureStunEcho(
      { host: '127.0.0.1', port: turn.relayRange[1] + 9, transport: 'udp' },
      { durationMs: 200, localAddress: '127.0.0.1' },
    );
    expect(m.quality).toBeUndefined();
    expect(m.reason).toBe('no-answer');
  });
});
