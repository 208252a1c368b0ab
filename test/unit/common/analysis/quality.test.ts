import { describe, expect, it } from 'vitest';
import { analyze, type AnalysisInput } from '#common/analysis/verdicts';
import { parseProfile, type Profile } from '#common/profile/schema';
import { judge } from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, qualityId, type QualityPath, type QualityResult } from '#common/quality/schema';
import { ReportSchema, type CheckResult, type NatResult, type RangeResult } from '#common/report/schema';

/** Each verdict's `quality`, its sentence, the fallback note and the sensor finding (docs/quality.md, "Judging"). */
function profileWith(quality?: Record<string, number>): Profile {
  const r = parseProfile({
    schemaVersion: 1,
    id: 'lab',
    name: 'Lab',
    signaling: [{ host: 'sig.lab.test', port: 443 }],
    stun: [{ host: 'turn.lab.test', port: 3478 }],
    turn: [
      { host: 'turn.lab.test', port: 3478, transport: 'udp' },
      { host: 'turn.lab.test', port: 3478, transport: 'tcp' },
      { host: 'turn.lab.test', port: 443, transport: 'tls' },
    ],
    group: { mediaServers: [], udpPorts: [[10000, 60000]] },
    reflector: { host: 'reflect.lab.test' },
    ...(quality ? { quality } : {}),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
}
const profile = profileWith();

const check = (
  id: string,
  kind: CheckResult['kind'],
  status: CheckResult['status'],
  extra: Partial<CheckResult> = {},
): CheckResult => ({
  id,
  kind,
  status,
  reason: status === 'pass' ? 'ok' : 'timeout',
  detail: '',
  evidence: {},
  ...extra,
});
const sig = check('tls:sig.lab.test:443', 'tls', 'pass', { host: 'sig.lab.test', port: 443 });
const turn = (t: 'udp' | 'tcp' | 'tls', s: CheckResult['status']) =>
  check(`turn:${t}:turn.lab.test:${t === 'tls' ? 443 : 3478}`, 'turn', s, {
    transport: t,
    host: 'turn.lab.test',
    port: t === 'tls' ? 443 : 3478,
  });
const stun = check('stun:udp:turn.lab.test:3478', 'stun', 'pass', {
  transport: 'udp',
  host: 'turn.lab.test',
  port: 3478,
  rttMs: 20,
});
const nat: NatResult = {
  mapping: 'none',
  filtering: 'none',
  behaveCompliant: true,
  publicAddress: null,
  method: 'rfc5780',
  notes: [],
};
const host = { os: 'Linux', interfaces: [], vpn: false, proxy: null };
const openRange: RangeResult = {
  id: 'udp-range:group',
  protocol: 'udp',
  host: 'reflect.lab.test',
  required: [[10000, 60000]],
  allowed: [[1, 65535]],
  blocked: [],
  probes: 9,
  resolution: 1,
  confidence: 'measured',
  notes: [],
};
const closedRange: RangeResult = { ...openRange, allowed: [], blocked: [[1, 65535]] };

/** An entry graded by the real rules, from its numbers. */
function entry(
  path: QualityPath,
  n: {
    up: number;
    down?: number;
    rtt?: number;
    jitter?: number;
    loss?: number;
    sensor?: 'engine' | 'webrtc';
    echo?: boolean;
    target?: number;
  },
): QualityResult {
  const port = path === 'turn-tls' ? 443 : 3478;
  const numbers = {
    upKbps: n.up,
    downKbps: n.down ?? n.up,
    rttMs: n.rtt ?? 30,
    rttLoadedMs: n.rtt ?? 30,
    jitterMs: n.jitter ?? 2,
    lossPct: n.loss ?? 0,
    ...(n.echo ? { bandwidthMeasured: false } : {}),
  };
  const j = judge(numbers, DEFAULT_QUALITY_RATES);
  const sensor = n.sensor ?? 'engine';
  return {
    id: qualityId(path, 'turn.lab.test', port, sensor),
    path,
    sensor,
    host: 'turn.lab.test',
    port,
    durationMs: 2000,
    targetKbps: n.target ?? 2500,
    ...numbers,
    mos: j.mos,
    grade: j.grade,
    limitedBy: j.limitedBy,
    samples: [[250, n.up]],
    ...(n.echo ? { method: 'stun-echo' as const } : { method: 'turn-stream' as const }),
  };
}

function input(over: Partial<AnalysisInput>): AnalysisInput {
  return {
    profile,
    rooms: ['group'],
    checks: [sig, stun, turn('udp', 'pass'), turn('tcp', 'pass'), turn('tls', 'pass')],
    ranges: [closedRange],
    nat,
    host,
    complete: true,
    ...over,
  };
}

describe('verdict quality', () => {
  it('TURN over UDP: grade, what it supports, the slower direction, added latency against STUN, one sentence for everyone', () => {
    const udp = entry('turn-udp', { up: 2000, down: 2450, rtt: 24, jitter: 4, loss: 0.3 });
    const a = analyze(input({ quality: [udp] }));
    const g = a.verdicts.group!;
    expect(g.path).toBe('turn-udp');
    expect(g.quality).toMatchObject({
      grade: 'good',
      supports: 'video',
      measuredKbps: 2000,
      addedLatencyMs: 4,
      evidence: [udp.id],
    });
    expect(g.summary).toBe(
      `Group calls will relay through TURN over UDP — 2.0 Mbit/s, 0.3 % loss, 4 ms jitter: video works (MOS ${udp.mos!.toFixed(1)}). Adds 4 ms (measured; the provider states less than 50 ms).`,
    );
    expect(ReportSchema.shape.verdicts.safeParse(a.verdicts).success).toBe(true);
  });

  it('the less capable sensor decides; the evidence lists both', () => {
    const engine = entry('turn-udp', { up: 2500 });
    const page = entry('turn-udp', { up: 1100, sensor: 'webrtc' });
    const g = analyze(input({ quality: [engine, page] })).verdicts.group!;
    expect(g.quality).toMatchObject({ supports: 'video', measuredKbps: 1100, evidence: [engine.id, page.id] });
  });

  it('a link shaped to a few hundred kbit/s: audio only, limited by bandwidth', () => {
    const g = analyze(input({ quality: [entry('turn-udp', { up: 390 })] })).verdicts.group!;
    expect(g.quality).toMatchObject({ supports: 'audio', limitedBy: ['bandwidth'] });
    expect(g.summary).toMatch(/— 390 kbit\/s, 0 % loss, 2 ms jitter: audio only \(MOS/);
  });

  it('the profile\'s rates decide what "video" means', () => {
    const q = [entry('turn-udp', { up: 700 })];
    expect(analyze(input({ quality: q })).verdicts.group!.quality!.supports).toBe('audio');
    expect(
      analyze(input({ profile: profileWith({ hdVideoKbps: 1500, videoKbps: 600, audioKbps: 50 }), quality: q }))
        .verdicts.group!.quality!.supports,
    ).toBe('video');
  });

  it('direct UDP measured by the STUN echo only: throughput from the relay over the same link, the worse grade, no added latency; the note says so', () => {
    const echo = entry('direct-udp', { up: 20, rtt: 20, jitter: 1, echo: true });
    const udp = entry('turn-udp', { up: 2500, rtt: 24 });
    const g = analyze(input({ ranges: [openRange], quality: [echo, udp] })).verdicts.group!;
    expect(g.path).toBe('direct-udp');
    expect(g.quality).toMatchObject({
      grade: 'good',
      supports: 'hd-video',
      measuredKbps: 2500,
      addedLatencyMs: 0,
      evidence: [echo.id, udp.id],
    });
    expect(g.summary).toMatch(
      /^Group calls will send media directly over UDP — 2\.5 Mbit\/s, 0 % loss, 1 ms jitter: HD video works/,
    );
    expect(g.notes).toContain(
      "The direct path's throughput is the one measured through TURN over UDP over the same link (a STUN echo measures round trip, jitter and loss only).",
    );
    expect(
      g.notes.find((n) => n.startsWith('If Direct UDP fails: Group calls will relay through TURN over UDP')),
    ).toBeDefined();
  });

  it('direct UDP with only the echo and no relay measured: audio at most, and the sentence says throughput was not measured', () => {
    const g = analyze(input({ ranges: [openRange], quality: [entry('direct-udp', { up: 20, echo: true })] })).verdicts
      .group!;
    expect(g.quality!.supports).toBe('audio');
    expect(g.summary).toMatch(/— throughput not measured, 0 % loss/);
  });

  it('a lossy UDP path: grade below good, and the worse direct loss pulls a clean relay down', () => {
    const echo = entry('direct-udp', { up: 20, loss: 8, echo: true });
    const g = analyze(input({ ranges: [openRange], quality: [echo, entry('turn-udp', { up: 2500 })] })).verdicts.group!;
    expect(g.quality!.grade).not.toBe('good');
    expect(g.quality!.limitedBy).toContain('loss');
  });

  it('engine and page disagree beyond the tolerance: a finding naming both numbers', () => {
    const a = analyze(
      input({ quality: [entry('turn-udp', { up: 2500 }), entry('turn-udp', { up: 400, sensor: 'webrtc' })] }),
    );
    const f = a.findings.find((x) => x.code === 'quality-sensors-disagree');
    expect(f?.message).toMatch(/TURN over UDP .* rate 2\.5 Mbit\/s \(engine\) vs 400 kbit\/s \(in the page\)/);
    expect(
      analyze(
        input({ quality: [entry('turn-udp', { up: 2500 }), entry('turn-udp', { up: 2450, sensor: 'webrtc' })] }),
      ).findings.map((x) => x.code),
    ).not.toContain('quality-sensors-disagree');
  });

  it('no entries: no quality, no summary — the verdict reads as before', () => {
    const g = analyze(input({})).verdicts.group!;
    expect(g.quality).toBeUndefined();
    expect(g.summary).toBeUndefined();
  });

  it('a measured path the verdict did not choose is not its quality', () => {
    const g = analyze(
      input({
        checks: [sig, stun, turn('udp', 'fail'), turn('tcp', 'fail'), turn('tls', 'pass')],
        quality: [entry('turn-udp', { up: 2500 })],
      }),
    ).verdicts.group!;
    expect(g.path).toBe('turn-tls');
    expect(g.quality).toBeUndefined();
  });
});
