// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '#common/analysis/verdicts';
import { judge } from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, qualityId, type QualityResult } from '#common/quality/schema';
import { parseProfile } from '#common/profile/schema';
import { ReportSchema, type Report } from '#common/report/schema';
import ReportView from '#renderer/components/results/ReportView.vue';

/** The verdict card's call-quality part: what it carries, the numbers, and throughput over time. */
const FIXTURES = resolve(__dirname, '../../fixtures/reports');
const base: Report = ReportSchema.parse(JSON.parse(readFileSync(resolve(FIXTURES, 'only-tcp-443.json'), 'utf8')));

function entry(sensor: 'engine' | 'webrtc', samples: [number, number][]): QualityResult {
  const numbers = { upKbps: 700, downKbps: 750, rttMs: 40, rttLoadedMs: 45, jitterMs: 3, lossPct: 0.2 };
  const j = judge(numbers, DEFAULT_QUALITY_RATES);
  return {
    id: qualityId('turn-tls', 'turn.lab.test', 443, sensor),
    path: 'turn-tls',
    sensor,
    host: 'turn.lab.test',
    port: 443,
    durationMs: 2500,
    targetKbps: 2500,
    ...numbers,
    mos: j.mos,
    grade: j.grade,
    limitedBy: j.limitedBy,
    samples,
    method: sensor === 'engine' ? 'turn-stream' : 'webrtc-call',
  };
}

function withQuality(quality: QualityResult[]): Report {
  const r = parseProfile({
    schemaVersion: 1,
    id: 'lab',
    name: 'Lab',
    signaling: [{ host: 'sig.lab.test', port: 443 }],
    turn: [{ host: 'turn.lab.test', port: 443, transport: 'tls' }],
    group: { udpPorts: [[10000, 60000]] },
    p2p: { udpPorts: [[10000, 65535]] },
  });
  if (!r.ok) throw new Error('bad');
  const analysis = analyze({
    profile: r.profile,
    rooms: base.rooms,
    checks: base.checks,
    ranges: base.ranges,
    nat: base.nat,
    host: base.host,
    complete: true,
    quality,
  });
  return ReportSchema.parse({ ...base, ...analysis, quality });
}

describe('verdict card: call quality', () => {
  it('shows what the path carries, its rate and MOS, the added delay, and one chart line per sensor', () => {
    const report = withQuality([
      entry('engine', [
        [250, 500],
        [500, 900],
        [750, 910],
      ]),
      entry('webrtc', [
        [500, 880],
        [1000, 905],
      ]),
    ]);
    expect(report.verdicts.group!.path).toBe('turn-tls');
    const w = mount(ReportView, { props: { report } });
    const card = w.find('.verdict[data-room="group"]');
    const q = card.find('.verdict__quality');
    expect(q.attributes('data-supports')).toBe('audio');
    expect(q.text()).toContain('Audio only');
    expect(q.text()).toContain('700 kbit/s');
    expect(q.text()).toContain(`MOS ${report.verdicts.group!.quality!.mos!.toFixed(1)}`);
    expect(q.text()).toContain('the provider states more than 50 ms');
    expect(card.find('.verdict__sentence').text()).toMatch(
      /^Group calls will relay through TURN over TLS — 700 kbit\/s, 0\.2 % loss, 3 ms jitter: audio only/,
    );
    const lines = q.findAll('polyline');
    expect(lines.map((l) => l.classes())).toEqual([
      expect.arrayContaining(['qchart__line--engine']),
      expect.arrayContaining(['qchart__line--webrtc']),
    ]);
    // 0,0 first, then one point per sample, inside the plot area
    const pts = lines[0]!
      .attributes('points')!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts).toHaveLength(4);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(220);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(60);
    }
  });

  it('a report without quality shows no quality part (older reports read as before)', () => {
    const w = mount(ReportView, { props: { report: base } });
    expect(w.find('.verdict__quality').exists()).toBe(false);
  });
});
