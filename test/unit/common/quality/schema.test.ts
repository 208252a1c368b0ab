import { describe, expect, it } from 'vitest';
import { parseProfile } from '#common/profile/schema';
import { ReportSchema } from '#common/report/schema';
import { qualityRates } from '#common/quality/schema';

const base = {
  schemaVersion: 1,
  id: 'lab',
  name: 'Lab',
  turn: [{ host: 'turn.lab.test', port: 3478, transport: 'udp' }],
  group: { udpPorts: [[10000, 20000]] },
};

describe('profile quality rates', () => {
  it('are optional; missing ones take the defaults', () => {
    const r = parseProfile(base);
    expect(r.ok && r.profile.quality).toBeUndefined();
    const q = parseProfile({ ...base, quality: { videoKbps: 1200 } });
    expect(q.ok).toBe(true);
    expect(qualityRates(q.ok ? q.profile.quality : undefined)).toEqual({
      hdVideoKbps: 2500,
      videoKbps: 1200,
      audioKbps: 100,
    });
  });
  it.each([
    [{ audioKbps: -5 }, 'quality.audioKbps', 'more than 0'],
    [{ videoKbps: 0 }, 'quality.videoKbps', 'more than 0'],
    [{ hdVideoKbps: 2_000_000 }, 'quality.hdVideoKbps', '1 Gbit/s'],
    [{ hdVideoKbps: '2500' }, 'quality.hdVideoKbps', 'number'],
    [{ hdVideoKbps: Number.NaN }, 'quality.hdVideoKbps', 'number'],
    [{ hdVideoKbps: 800, videoKbps: 1000 }, 'quality.videoKbps', 'must not exceed the HD video rate'],
    [{ hdVideoKbps: 800 }, 'quality.hdVideoKbps', 'must not exceed the HD video rate'],
    [{ audioKbps: 1500 }, 'quality.audioKbps', 'must not exceed the video rate'],
    [{ audioKbbps: 100 }, 'quality', 'audioKbbps'],
  ])('refuses %j naming %s', (quality, path, words) => {
    const r = parseProfile({ ...base, quality });
    expect(r.ok).toBe(false);
    const err = !r.ok
      ? r.errors.find((e) => e.path === path || (path === 'quality' && e.path.startsWith('quality')))
      : undefined;
    expect(err, JSON.stringify(!r.ok && r.errors)).toBeDefined();
    expect(`${err!.path} ${err!.message}`).toContain(words);
  });
});

describe('report quality fields', () => {
  const report = {
    schemaVersion: 1,
    tool: { name: 'pathcheck', version: '0' },
    profile: { id: 'lab', name: 'Lab' },
    startedAt: 'x',
    durationMs: 1,
    host: { os: 'linux', vpn: false, proxy: null },
    checks: [],
    nat: { mapping: 'none', filtering: 'none', behaveCompliant: true, publicAddress: null },
    verdicts: { group: { path: 'turn-udp', latency: 'marginal', confidence: 'measured', evidence: [], notes: [] } },
    firewall: { blocked: [], layer: 'unknown' },
  };
  it('old reports without them still parse', () => {
    expect(ReportSchema.safeParse(report).success).toBe(true);
  });
  it('parse with them, and refuse a wrong grade naming the field', () => {
    const q = {
      id: 'quality:turn-udp:turn.lab.test:3478',
      path: 'turn-udp',
      sensor: 'engine',
      host: 'turn.lab.test',
      port: 3478,
      durationMs: 2500,
      targetKbps: 2500,
      upKbps: 2480,
      downKbps: 2470,
      rttMs: 14.2,
      rttLoadedMs: 21,
      jitterMs: 2.1,
      lossPct: 0.2,
      mos: 4.3,
      grade: 'good',
      limitedBy: [],
      samples: [[250, 2410]],
    };
    const vq = { grade: 'good', supports: 'hd-video', measuredKbps: 2470, addedLatencyMs: 3.1, evidence: [q.id] };
    const withQ = { ...report, quality: [q], verdicts: { group: { ...report.verdicts.group, quality: vq } } };
    const ok = ReportSchema.safeParse(withQ);
    expect(ok.success).toBe(true);
    const bad = ReportSchema.safeParse({ ...withQ, quality: [{ ...q, grade: 'excellent' }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['quality', 0, 'grade']);
  });
});
