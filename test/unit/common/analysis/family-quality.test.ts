import { describe, expect, it } from 'vitest';
import { analyzeByFamily } from '#common/analysis/family';
import { analyze, type AnalysisInput } from '#common/analysis/verdicts';
import { judge } from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, qualityId, type QualityPath, type QualityResult } from '#common/quality/schema';
import { familyId, type Family } from '#common/report/family';
import type { CheckResult } from '#common/report/schema';
import { all, input, natTwin, none, ranges, rungs } from './dual-stack-fixtures';

/**
 * Call quality over dual stack (docs/quality.md, "Address families"): each family's verdict is
 * judged on the engine's entries measured over that family, so the merged verdict's `quality`
 * describes the family it names; the page's entries (no family) go with IPv4; reports without IPv6
 * twins are judged exactly as before.
 */
const PORT: Record<QualityPath, number> = {
  'direct-udp': 3478,
  'direct-tcp': 3478,
  'turn-udp': 3478,
  'turn-tcp': 3478,
  'turn-tls': 443,
};
function entry(
  path: QualityPath,
  f: Family | undefined,
  up: number,
  o: { sensor?: 'engine' | 'webrtc'; echo?: boolean } = {},
): QualityResult {
  const numbers = {
    upKbps: up,
    downKbps: up,
    rttMs: 20,
    rttLoadedMs: 22,
    jitterMs: 2,
    lossPct: 0,
    ...(o.echo ? { bandwidthMeasured: false } : {}),
  };
  const j = judge(numbers, DEFAULT_QUALITY_RATES);
  const sensor = o.sensor ?? 'engine';
  const id = qualityId(path, 'turn.lab.test', PORT[path], sensor);
  return {
    id: f ? familyId(id, f) : id,
    ...(f ? { family: f } : {}),
    path,
    sensor,
    host: 'turn.lab.test',
    port: PORT[path],
    durationMs: 2000,
    targetKbps: 2500,
    ...numbers,
    mos: j.mos,
    grade: j.grade,
    limitedBy: j.limitedBy,
    samples: [[250, up]],
    method: o.echo ? 'stun-echo' : 'turn-stream',
  };
}
const withQuality = (i: AnalysisInput, quality: QualityResult[]): AnalysisInput => ({ ...i, quality });
const echo = (f: Family | undefined) => entry('direct-udp', f, 64, { echo: true });

/** IPv6-only client: every IPv4 rung fails at once (no route), IPv6 is open. */
const v6Only = input(
  [...rungs(4, none, 'unreachable'), ...rungs(6, all), natTwin('none')],
  [...ranges(4, false), ...ranges(6, true)],
);
/** IPv4 blocked except TCP 443 (TURN over TLS works), IPv6 open. */
const v4Tls = (c: string) => c.startsWith('turn:tls:') || c.startsWith('tls:');
const v4Tcp443V6Open = input(
  [...rungs(4, v4Tls), ...rungs(6, all), natTwin('none')],
  [...ranges(4, false), ...ranges(6, true)],
);
const openDual = input([...rungs(4, all), ...rungs(6, all), natTwin('none')], [...ranges(4, true), ...ranges(6, true)]);

describe('verdict quality follows the verdict family', () => {
  it('IPv6-only client: the verdict (IPv6) takes the IPv6 echo and the IPv6 relay stream', () => {
    const q = [echo(4), echo(6), entry('turn-udp', 6, 2500)].filter((e) => e.family === 6);
    const a = analyzeByFamily(withQuality(v6Only, q));
    for (const room of ['group', 'p2p'] as const) {
      const v = a.verdicts[room]!;
      expect([v.path, v.family]).toEqual(['direct-udp', 6]);
      expect(v.quality).toMatchObject({
        supports: 'hd-video',
        measuredKbps: 2500,
        evidence: ['quality:direct-udp:turn.lab.test:3478/v6', 'quality:turn-udp:turn.lab.test:3478/v6'],
      });
    }
  });

  it('IPv4 only TCP 443, IPv6 open: the IPv4 TLS relay measured beside the IPv6 stream is not what the IPv6 verdict reports', () => {
    const q = [echo(6), entry('turn-udp', 6, 1500), entry('turn-tls', 4, 900)];
    const v = analyzeByFamily(withQuality(v4Tcp443V6Open, q)).verdicts.group!;
    expect([v.path, v.family]).toEqual(['direct-udp', 6]);
    expect(v.quality).toMatchObject({
      supports: 'video',
      measuredKbps: 1500,
      evidence: ['quality:direct-udp:turn.lab.test:3478/v6', 'quality:turn-udp:turn.lab.test:3478/v6'],
    });
    // The fallback note speaks of the verdict's family too: no IPv4 TLS numbers under an IPv6 verdict.
    expect(v.notes.join(' ')).not.toContain('relay through TURN over TLS');
    expect(v.summary).toContain('1.5 Mbit/s');
  });

  it('an IPv6 verdict with only IPv4 measurements (what the engine produced before the quality twins) has no quality rather than the wrong path’s', () => {
    const q = [echo(4), entry('turn-udp', 4, 2500)];
    const v = analyzeByFamily(withQuality(v6Only, q)).verdicts.group!;
    expect(v.family).toBe(6);
    expect(v.quality).toBeUndefined();
    // The same entries without family fields (an older dual-stack report) are IPv4 too: ids without /v6.
    const old = [echo(undefined), entry('turn-udp', undefined, 2500)];
    expect(analyzeByFamily(withQuality(v6Only, old)).verdicts.group!.quality).toBeUndefined();
  });

  it('dual-stack open: the IPv4 verdict (a tie) takes the IPv4 entries, never an IPv6 one', () => {
    const q = [echo(4), entry('turn-udp', 4, 2500), echo(6), entry('turn-udp', 6, 400)];
    const v = analyzeByFamily(withQuality(openDual, q)).verdicts.group!;
    expect(v.family).toBe(4);
    expect(v.quality).toMatchObject({
      supports: 'hd-video',
      evidence: ['quality:direct-udp:turn.lab.test:3478', 'quality:turn-udp:turn.lab.test:3478'],
    });
  });

  it('the page’s measurements (no family) go with IPv4, as its checks do', () => {
    const page = entry('turn-udp', undefined, 1200, { sensor: 'webrtc' });
    const v4 = analyzeByFamily(withQuality(openDual, [echo(4), entry('turn-udp', 4, 2500), page])).verdicts.group!;
    expect(v4.quality?.evidence).toContain(page.id);
    const v6 = analyzeByFamily(withQuality(v6Only, [echo(6), entry('turn-udp', 6, 2500), page])).verdicts.group!;
    expect(v6.quality?.evidence).not.toContain(page.id);
  });

  it('reports without IPv6 twins keep their quality exactly as before, with or without family fields on the entries', () => {
    const checks: CheckResult[] = rungs(4, all).map(({ family: _f, ...c }) => c);
    const base = input(
      checks,
      ranges(4, true).map(({ family: _f, ...r }) => r),
    );
    for (const q of [
      [echo(undefined), entry('turn-udp', undefined, 2500)],
      [echo(4), entry('turn-udp', 4, 2500)],
    ]) {
      const i = withQuality(base, q);
      const a = analyzeByFamily(i);
      expect(a).toEqual(analyze(i));
      expect(a.verdicts.group!.quality?.evidence).toEqual(q.map((e) => e.id));
    }
  });
});
