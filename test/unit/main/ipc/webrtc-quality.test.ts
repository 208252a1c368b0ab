import { describe, expect, it } from 'vitest';
import { WebrtcSubmitRequestSchema } from '#common/ipc/diagnosis';
import { parseProfile } from '#common/profile/schema';
import { DEFAULT_QUALITY_RATES, qualityId, type QualityResult } from '#common/quality/schema';
import { acceptWebrtcQuality, webrtcPlan } from '#main/ipc/diagnosis-webrtc';

/** The page's call-quality entries: only for servers main handed out, judged again by main, bounded. */
const r = parseProfile({
  schemaVersion: 1,
  id: 'lab',
  name: 'Lab',
  turn: [
    { host: 'turn.lab.test', port: 3478, transport: 'udp' },
    { host: 'turn.lab.test', port: 443, transport: 'tls' },
  ],
  credentials: { type: 'static', username: 'u', credential: 'p' },
  group: { udpPorts: [[10000, 60000]] },
  quality: { videoKbps: 800 },
});
if (!r.ok) throw new Error('bad');
const profile = r.profile;
const plan = webrtcPlan('11111111-1111-4111-8111-111111111111', profile, { username: 'u', credential: 'p' }, undefined);

const entry = (id: string, over: Partial<QualityResult> = {}): QualityResult => ({
  id,
  path: 'turn-udp',
  sensor: 'webrtc',
  host: 'turn.lab.test',
  port: 3478,
  durationMs: 3000,
  targetKbps: 2500,
  upKbps: 2400,
  downKbps: 2400,
  rttMs: 20,
  rttLoadedMs: 22,
  jitterMs: 2,
  lossPct: 0,
  mos: 4.4,
  grade: 'good',
  limitedBy: [],
  samples: [[250, 2400]],
  ...over,
});

describe('page quality entries in main', () => {
  it("the plan asks the page for quality with the profile's rates, only when there are credentials", () => {
    expect(plan.quality).toEqual({
      directionMs: 1500,
      targetKbps: 2500,
      rates: { ...DEFAULT_QUALITY_RATES, videoKbps: 800 },
    });
    expect(webrtcPlan('11111111-1111-4111-8111-111111111111', profile, null, undefined).quality).toBeUndefined();
    expect(
      webrtcPlan('11111111-1111-4111-8111-111111111111', profile, { username: 'u', credential: 'p' }, undefined, {
        qualityDirectionMs: null,
      }).quality,
    ).toBeUndefined();
  });

  it('keeps entries of servers in the plan (fields from the plan), drops others and duplicates, and grades them itself', () => {
    const udp = qualityId('turn-udp', 'turn.lab.test', 3478, 'webrtc');
    const claimed = entry(udp, {
      host: 'evil.example.com',
      port: 1,
      path: 'turn-tls',
      grade: 'good',
      lossPct: 20,
      mos: 4.4,
    });
    const { accepted, rejected } = acceptWebrtcQuality(
      plan,
      [
        claimed,
        entry(udp),
        entry('quality:turn-udp:other.test:3478:webrtc'),
        entry(qualityId('turn-udp', 'turn.lab.test', 3478)),
      ],
      profile.quality ? { ...DEFAULT_QUALITY_RATES, ...profile.quality } : DEFAULT_QUALITY_RATES,
    );
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({
      id: udp,
      path: 'turn-udp',
      host: 'turn.lab.test',
      port: 3478,
      sensor: 'webrtc',
      method: 'webrtc-call',
      grade: 'unusable',
    });
    expect(accepted[0]!.limitedBy).toContain('loss');
    expect(rejected).toEqual([
      udp,
      'quality:turn-udp:other.test:3478:webrtc',
      qualityId('turn-udp', 'turn.lab.test', 3478),
    ]);
  });

  it('the submit schema bounds the entries (count, samples, numbers)', () => {
    const base = { runId: '11111111-1111-4111-8111-111111111111', checks: [] };
    const id = qualityId('turn-udp', 'turn.lab.test', 3478, 'webrtc');
    expect(WebrtcSubmitRequestSchema.safeParse({ ...base, quality: [entry(id)] }).success).toBe(true);
    expect(
      WebrtcSubmitRequestSchema.safeParse({ ...base, quality: Array.from({ length: 9 }, () => entry(id)) }).success,
    ).toBe(false);
    expect(
      WebrtcSubmitRequestSchema.safeParse({
        ...base,
        quality: [entry(id, { samples: Array.from({ length: 65 }, (_, i) => [i, 1] as [number, number]) })],
      }).success,
    ).toBe(false);
    expect(WebrtcSubmitRequestSchema.safeParse({ ...base, quality: [entry(id, { lossPct: 101 })] }).success).toBe(
      false,
    );
    expect(WebrtcSubmitRequestSchema.safeParse({ ...base, quality: [{ ...entry(id), extra: 1 }] }).success).toBe(true); // zod strips unknown keys of entries
  });
});
