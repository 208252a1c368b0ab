// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REASON_TEXT } from '#common/report/reason';
import { ReportSchema, type Report } from '#common/report/schema';
import { describeVerdict } from '#common/report/summary';
import ReportView from '#renderer/components/results/ReportView.vue';
import { latencyGroups, stripModel } from '#renderer/components/results/model';

const FIXTURES = resolve(__dirname, '../../fixtures/reports');
const load = (name: string): Report =>
  ReportSchema.parse(JSON.parse(readFileSync(resolve(FIXTURES, `${name}.json`), 'utf8')));

describe('ReportView', () => {
  it('shows one verdict card per room type with the sentence from summary.ts', () => {
    const report = load('only-tcp-443');
    const w = mount(ReportView, { props: { report } });
    const cards = w.findAll('.verdict');
    expect(cards.map((c) => c.attributes('data-room'))).toEqual(['group', 'p2p']);
    expect(cards[0]!.attributes('data-path')).toBe('turn-tls');
    expect(cards[0]!.find('.verdict__sentence').text()).toBe(describeVerdict('group', report.verdicts.group!));
    expect(cards[0]!.find('.verdict__path').text()).toBe('TURN over TLS');
    expect(w.text()).toContain('What is blocked and where');
  });

  it('draws a range strip per range and latency rows per path, WebRTC checks included', () => {
    const report = load('only-tcp-443');
    const w = mount(ReportView, { props: { report } });
    expect(w.findAll('figure.strip').map((f) => f.attributes('data-range'))).toEqual(report.ranges.map((r) => r.id));
    expect(w.find('[data-check="webrtc:relay:tls:turn.lab.test:443"]').exists()).toBe(true);
  });

  it('opens and closes the evidence of a check with its button', async () => {
    const report = load('open');
    const w = mount(ReportView, { props: { report }, attachTo: document.body });
    const first = w.find('li.check');
    const button = first.find('button');
    expect(button.attributes('aria-expanded')).toBe('false');
    await button.trigger('click');
    expect(button.attributes('aria-expanded')).toBe('true');
    const panel = w.find(`#${button.attributes('aria-controls')}`);
    expect(panel.find('pre').text()).toContain('{');
    // The code, and the words every view uses for it (common/report/reason.ts).
    expect(panel.text()).toContain(`${report.checks[0]!.reason} (${REASON_TEXT[report.checks[0]!.reason].label})`);
    await button.trigger('click');
    expect(w.find(`#${button.attributes('aria-controls')}`).exists()).toBe(false);
    w.unmount();
  });

  it('says when a run was incomplete, and renders actions passed in its slot', () => {
    const report = { ...load('blocked'), complete: false };
    const w = mount(ReportView, {
      props: { report, title: 'Saved report' },
      slots: { actions: '<button type="button">Export PDF</button>' },
    });
    expect(w.find('#report-title').text()).toBe('Saved report');
    expect(w.text()).toContain('Incomplete run');
    expect(w.find('.report__actions button').text()).toBe('Export PDF');
  });
});

describe('results view model', () => {
  it('stripModel splits the required span into allowed/blocked/untested fractions', () => {
    const m = stripModel({
      id: 'udp-range:group',
      protocol: 'udp',
      host: 'x',
      required: [[10000, 19999]],
      allowed: [[10000, 14999]],
      blocked: [[17500, 19999]],
      probes: 10,
      resolution: 1,
      confidence: 'measured',
      notes: [],
    });
    expect(m.segments.map((s) => [s.kind, s.from, s.to])).toEqual([
      ['untested', 15000, 17499],
      ['allowed', 10000, 14999],
      ['blocked', 17500, 19999],
    ]);
    expect(m.segments.find((s) => s.kind === 'allowed')!.width).toBeCloseTo(0.5);
    expect(m.allowedPct).toBe(50);
    expect(m.ticks[0]).toEqual({ port: 10000, x: 0 });
    expect(m.ticks[m.ticks.length - 1]).toEqual({ port: 19999, x: 1 });
  });

  it('latencyGroups scales bars to the slowest path and carries stream stats', () => {
    const report = load('open');
    report.checks.push({
      id: 'webrtc:relay:udp:t:3478',
      kind: 'webrtc',
      transport: 'udp',
      host: 't',
      port: 3478,
      status: 'pass',
      reason: 'ok',
      detail: '',
      rttMs: 1000,
      evidence: { stream: { jitterMs: 1.5, lossPct: 0 } },
    });
    const udp = latencyGroups(report).find((g) => g.transport === 'udp')!;
    const row = udp.rows.find((r) => r.id === 'webrtc:relay:udp:t:3478')!;
    expect(row.fraction).toBe(1);
    expect(row.extra).toBe('jitter 1.5 ms, loss 0.0 %');
  });
});
