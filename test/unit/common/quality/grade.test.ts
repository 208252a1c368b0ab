import { describe, expect, it } from 'vitest';
import {
  addedLatency,
  addedLatencyText,
  formatRate,
  judge,
  mosFrom,
  qualitySentence,
  sensorDisagreement,
  supports,
  verdictQuality,
  type QualityNumbers,
} from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, qualityId, QualityResultSchema, type QualityResult } from '#common/quality/schema';

const R = DEFAULT_QUALITY_RATES;
const clean: QualityNumbers = { upKbps: 2500, downKbps: 2500, rttMs: 20, rttLoadedMs: 25, jitterMs: 2, lossPct: 0 };

function entry(over: Partial<QualityResult> = {}): QualityResult {
  const n = { ...clean, ...over };
  const j = judge(n, R);
  return QualityResultSchema.parse({
    id: qualityId(over.path ?? 'turn-udp', 'turn.lab.test', 3478, over.sensor ?? 'engine'),
    path: 'turn-udp',
    sensor: 'engine',
    host: 'turn.lab.test',
    port: 3478,
    durationMs: 2000,
    targetKbps: 2500,
    ...n,
    mos: j.mos,
    grade: j.grade,
    limitedBy: j.limitedBy,
    samples: [[250, 2400]],
    ...over,
  });
}

describe('E-model MOS', () => {
  it('is 4.4 on a clean, short path and falls with delay, jitter and loss', () => {
    expect(mosFrom(20, 2, 0)).toBeCloseTo(4.4, 1);
    expect(mosFrom(300, 2, 0)).toBeLessThan(mosFrom(100, 2, 0));
    expect(mosFrom(20, 40, 0)).toBeLessThan(mosFrom(20, 2, 0));
    expect(mosFrom(20, 2, 8)).toBeLessThan(mosFrom(20, 2, 1));
  });
  it('switches formula at EL = 160 without a jump, and bottoms out at 1 when loss eats R', () => {
    expect(Math.abs(mosFrom(149.9, 0, 0) - mosFrom(150.1, 0, 0))).toBeLessThan(0.05);
    expect(mosFrom(20, 0, 50)).toBe(1);
    expect(mosFrom(2000, 0, 0)).toBe(1);
  });
});

describe('judge', () => {
  it('grades a clean HD-rate path good with nothing holding it back', () => {
    expect(judge(clean, R)).toMatchObject({ grade: 'good', limitedBy: [] });
  });
  it('uses the band edges as published: loss 0.99 % good, 1 % fair, 3 % poor, 10 % unusable', () => {
    expect(judge({ ...clean, lossPct: 0.99 }, R).grade).toBe('good');
    expect(judge({ ...clean, lossPct: 1 }, R)).toMatchObject({ grade: 'fair', limitedBy: ['loss'] });
    expect(judge({ ...clean, lossPct: 3 }, R).grade).toBe('poor');
    expect(judge({ ...clean, lossPct: 10 }, R).grade).toBe('unusable');
  });
  it('grades the loaded round trip: 249 ms good, 250 fair, 400 poor, 600 unusable', () => {
    expect(judge({ ...clean, rttLoadedMs: 249 }, R).grade).not.toBe('unusable');
    expect(judge({ ...clean, rttLoadedMs: 250 }, R).limitedBy).toContain('latency');
    expect(judge({ ...clean, rttLoadedMs: 400 }, R).grade).toBe('poor');
    expect(judge({ ...clean, rttLoadedMs: 600 }, R)).toMatchObject({ grade: 'unusable', limitedBy: ['latency'] });
  });
  it('grades jitter: 9 ms good, 10 ms fair, 30 ms poor', () => {
    expect(judge({ ...clean, jitterMs: 9 }, R).limitedBy).not.toContain('jitter');
    expect(judge({ ...clean, jitterMs: 10 }, R).limitedBy).toEqual(['jitter']);
    expect(judge({ ...clean, jitterMs: 30 }, R).grade).toBe('poor');
  });
  it('grades bandwidth against the profile rates: 400 kbit/s is poor (audio), 90 % of the video rate is good', () => {
    expect(judge({ ...clean, upKbps: 400, downKbps: 410 }, R)).toMatchObject({
      grade: 'poor',
      limitedBy: ['bandwidth'],
    });
    expect(judge({ ...clean, upKbps: 900, downKbps: 2500 }, R).grade).toBe('good');
    expect(judge({ ...clean, upKbps: 899, downKbps: 2500 }, R).grade).toBe('fair');
    expect(
      judge({ ...clean, upKbps: 400, downKbps: 400 }, { hdVideoKbps: 800, videoKbps: 400, audioKbps: 50 }).grade,
    ).toBe('good');
  });
  it('leaves bandwidth out when the method cannot measure it', () => {
    expect(judge({ ...clean, upKbps: 30, downKbps: 30, bandwidthMeasured: false }, R)).toMatchObject({
      grade: 'good',
      limitedBy: [],
    });
  });
  it('calls a path where nothing came back unusable, limited by loss', () => {
    expect(
      judge({ ...clean, rttMs: null, rttLoadedMs: null, jitterMs: null, lossPct: 100, upKbps: 0, downKbps: 0 }, R),
    ).toEqual({ grade: 'unusable', mos: null, limitedBy: ['loss'] });
  });
  it('names the worst metric first', () => {
    expect(judge({ ...clean, lossPct: 12, jitterMs: 12 }, R).limitedBy).toEqual(['loss', 'jitter']);
  });
});

describe('supports', () => {
  it('hd-video needs the HD rate both ways and grade good', () => {
    expect(supports(entry(), R)).toBe('hd-video');
    expect(supports(entry({ downKbps: 2249 }), R)).toBe('video');
    expect(supports(entry({ downKbps: 2250 }), R)).toBe('hd-video');
    expect(supports(entry({ lossPct: 1.5 }), R)).toBe('video');
  });
  it('video needs the video rate with at least fair; audio the audio rate with MOS ≥ 3.1', () => {
    expect(supports(entry({ lossPct: 4 }), R)).toBe('audio'); // poor grade, MOS still high
    expect(supports(entry({ upKbps: 400, downKbps: 400 }), R)).toBe('audio');
    expect(supports(entry({ upKbps: 89, downKbps: 400 }), R)).toBe('none');
    expect(supports({ upKbps: 400, downKbps: 400, grade: 'poor', mos: 3.09 }, R)).toBe('none');
    expect(supports({ upKbps: 400, downKbps: 400, grade: 'poor', mos: 3.1 }, R)).toBe('audio');
    expect(supports({ upKbps: 0, downKbps: 0, grade: 'unusable', mos: null }, R)).toBe('none');
  });
  it('a STUN echo proves at most audio', () => {
    expect(supports({ ...entry(), upKbps: 30, downKbps: 30, bandwidthMeasured: false }, R)).toBe('audio');
  });
  it('follows the profile rates', () => {
    expect(
      supports(entry({ upKbps: 1300, downKbps: 1300 }), { hdVideoKbps: 1200, videoKbps: 600, audioKbps: 60 }),
    ).toBe('hd-video');
  });
});

describe('added latency and verdict quality', () => {
  it('is the relay round trip minus the baseline, never negative, null when unknown', () => {
    expect(addedLatency(23.4, 20.3)).toBe(3.1);
    expect(addedLatency(19, 20)).toBe(0);
    expect(addedLatency(null, 20)).toBeNull();
    expect(addedLatency(20, undefined)).toBeNull();
    expect(addedLatencyText('turn-udp', 3.1)).toBe('adds 3.1 ms (measured; the provider states less than 50 ms)');
    expect(addedLatencyText('turn-tls', 72.4)).toBe('adds 72 ms (measured; the provider states more than 50 ms)');
    expect(addedLatencyText('turn-tcp', null)).toContain('not measured');
  });
  it('takes the less capable sensor and lists both as evidence', () => {
    const engine = entry();
    const page = entry({ sensor: 'webrtc', downKbps: 1200 });
    const v = verdictQuality('turn-udp', [engine, page, entry({ path: 'turn-tls' })], R, 18)!;
    expect(v).toMatchObject({
      supports: 'video',
      measuredKbps: 1200,
      addedLatencyMs: 2,
      evidence: [engine.id, page.id],
    });
    expect(verdictQuality('turn-tcp', [engine], R)).toBeUndefined();
    // a page call that never settled is evidence, but the verdict is judged by the settled entry
    const startUp = entry({ sensor: 'webrtc', lossPct: 19, grade: 'unusable', settled: false });
    expect(verdictQuality('turn-udp', [engine, startUp], R)).toMatchObject({
      supports: 'hd-video',
      evidence: [engine.id, startUp.id],
    });
    // …unless nothing else measured the path
    expect(verdictQuality('turn-udp', [startUp], R)!.grade).toBe('unusable');
    expect(verdictQuality('direct-udp', [entry({ path: 'direct-udp' })], R, null)!.addedLatencyMs).toBe(0);
  });
});

describe('sensor disagreement', () => {
  it('is silent when both reached their targets, or agree within the tolerance', () => {
    expect(
      sensorDisagreement(entry(), entry({ sensor: 'webrtc', targetKbps: 1500, upKbps: 1500, downKbps: 1500 })),
    ).toBeUndefined();
    expect(
      sensorDisagreement(
        entry({ upKbps: 400, downKbps: 400 }),
        entry({ sensor: 'webrtc', upKbps: 350, downKbps: 380 }),
      ),
    ).toBeUndefined();
  });
  it('names the rate when one falls short by more than 25 %, and loss beyond 3 points', () => {
    const f = sensorDisagreement(
      entry({ upKbps: 400, downKbps: 400 }),
      entry({ sensor: 'webrtc', upKbps: 2400, downKbps: 2400, lossPct: 5 }),
    );
    expect(f).toMatchObject({ code: 'quality-sensors-disagree', severity: 'warn' });
    expect(f!.message).toContain('rate 400 kbit/s (engine) vs 2.4 Mbit/s (in the page)');
    expect(f!.message).toContain('loss 0 % vs 5 %');
  });
  it('at a bottleneck both found, allows the page’s call the loss its congestion control holds its rate at (up to 10 points)', () => {
    // the lab's 400 kbit/s link: the engine's paced stream 0 %, the browser's call probing at capacity 3.3 %
    const engine = entry({ upKbps: 395, downKbps: 395 });
    const page = entry({ sensor: 'webrtc', upKbps: 356, downKbps: 370, lossPct: 3.32 });
    expect(sensorDisagreement(engine, page)).toBeUndefined();
    expect(sensorDisagreement(engine, { ...page, lossPct: 10.5 })!.message).toContain('loss 0 % vs 11 %');
    // not at a bottleneck (the page reached its target): 3 points, as anywhere
    expect(
      sensorDisagreement(engine, { ...page, upKbps: 2400, downKbps: 2400, targetKbps: 2500, lossPct: 3.32 })!.message,
    ).toContain('loss 0 % vs 3.3 %');
    // a STUN echo (direct UDP) measures no throughput, so it shows no bottleneck either
    expect(sensorDisagreement({ ...engine, bandwidthMeasured: false }, page)!.message).toContain('loss 0 % vs 3.3 %');
    // the engine losing more than the page is no congestion control of the page's
    expect(sensorDisagreement({ ...engine, lossPct: 3.4 }, { ...page, lossPct: 0 })!.message).toContain(
      'loss 3.4 % vs 0 %',
    );
  });
  it('does not compare the loss or grade of a page call that never settled (its start-up), only its rate', () => {
    const engine = entry({ upKbps: 395, downKbps: 395 });
    const startUp = entry({
      sensor: 'webrtc',
      upKbps: 350,
      downKbps: 370,
      lossPct: 19,
      grade: 'unusable',
      settled: false,
    });
    expect(sensorDisagreement(engine, startUp)).toBeUndefined();
    expect(sensorDisagreement(engine, { ...startUp, settled: true })!.message).toContain('loss 0 % vs 19 %');
    expect(sensorDisagreement(engine, { ...startUp, upKbps: 150 })!.message).toContain('rate');
  });
});

describe('sentence', () => {
  it('says what the issue asks for, in the same words everywhere', () => {
    const e = entry({ upKbps: 2400, downKbps: 2450, lossPct: 0.3, jitterMs: 4, mos: 4.3 });
    expect(qualitySentence('group', 'turn-udp', { supports: 'video', measuredKbps: 2400 }, e)).toBe(
      'Group calls will relay through TURN over UDP — 2.4 Mbit/s, 0.3 % loss, 4 ms jitter: video works (MOS 4.3)',
    );
    expect(
      qualitySentence('p2p', 'direct-udp', { supports: 'audio', measuredKbps: 30 }, { ...e, bandwidthMeasured: false }),
    ).toBe(
      'Peer-to-peer calls will send media directly over UDP — throughput not measured, 0.3 % loss, 4 ms jitter: audio only (MOS 4.3)',
    );
    expect(formatRate(399.6)).toBe('400 kbit/s');
    expect(formatRate(1000)).toBe('1.0 Mbit/s');
  });
});
