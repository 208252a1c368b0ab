// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { V6_BLOCKED_MESSAGE } from '#common/report/family';
import { ReportSchema, type Report } from '#common/report/schema';
import { describeVerdict } from '#common/report/summary';
import ReportView from '#renderer/components/results/ReportView.vue';
import { latencyGroups } from '#renderer/components/results/model';

// happy-dom has no file: URLs, so the fixtures are read by path (as report-view.test.ts does).
const FIXTURES = resolve(__dirname, '../../fixtures/reports');
const loadFixture = (name: string): Report =>
  ReportSchema.parse(JSON.parse(readFileSync(resolve(FIXTURES, `${name}.json`), 'utf8')));

describe('ReportView on dual-stack reports', () => {
  it('shows each IPv6 twin indented under its IPv4 check, never as a top-level row', () => {
    const report = loadFixture('v6-dropped');
    const w = mount(ReportView, { props: { report } });
    const top = w.findAll('li.check');
    expect(top.map((li) => li.attributes('data-check'))).toEqual(loadFixture('open').checks.map((c) => c.id));
    const turn = w.find('li.check[data-check="turn:udp:turn.lab.test:3478"]');
    const twin = turn.find('.check--v6');
    expect(twin.attributes('data-check')).toBe('turn:udp:turn.lab.test:3478/v6');
    expect(twin.attributes('data-status')).toBe('fail');
    expect(twin.find('.fam--tag').text()).toBe('IPv6');
    // The compact badge on the IPv4 row: IPv4 passed, IPv6 failed.
    expect(turn.findAll('.fams .fam').map((f) => f.text())).toEqual(['IPv4 ✓', 'IPv6 ✕']);
    expect(turn.find('.fams').attributes('aria-label')).toBe('IPv4 pass, IPv6 fail');
    expect(w.find('.checks__counts').text()).toBe(
      '11 checks: 11 passed, 0 failed, 0 warnings, 0 skipped (+ IPv6: 9 checks: 0 passed, 8 failed, 0 warnings, 1 skipped).',
    );
  });

  it('shows the ipv6-blocked warning once and names IPv4 on the verdict cards', () => {
    const report = loadFixture('v6-dropped');
    const w = mount(ReportView, { props: { report } });
    expect(w.text().split(V6_BLOCKED_MESSAGE).length - 1).toBe(1);
    expect(w.findAll('[data-code="ipv6-blocked"]')).toHaveLength(1);
    const cards = w.findAll('.verdict');
    expect(cards.map((c) => c.attributes('data-family'))).toEqual(['4', '4']);
    expect(cards[0]!.find('.verdict__sentence').text()).toBe(describeVerdict('group', report.verdicts.group!, report));
    expect(cards[0]!.find('.verdict__sentence').text()).toContain('over IPv4');
  });

  it('names IPv6 on the verdict when media uses it, and nothing on an open dual-stack network', () => {
    const v6 = mount(ReportView, { props: { report: loadFixture('v4-tcp-443-v6-open') } });
    expect(v6.find('.verdict__sentence').text()).toContain(', over IPv6 — optimal latency');
    expect(v6.find('.verdict__family').text()).toBe('Media over IPv6');
    const open = mount(ReportView, { props: { report: loadFixture('dual-stack-open') } });
    expect(open.find('.verdict__sentence').text()).not.toMatch(/IPv[46]/);
    expect(open.find('.verdict__family').exists()).toBe(false);
  });

  it('draws each IPv6 range strip under its IPv4 strip, titled with the family', () => {
    const w = mount(ReportView, { props: { report: loadFixture('v6-dropped') } });
    const rows = w.findAll('.ranges__row');
    expect(rows).toHaveLength(3);
    expect(rows[0]!.findAll('figure.strip').map((f) => f.attributes('data-range'))).toEqual([
      'udp-range:group',
      'udp-range:group/v6',
    ]);
    expect(rows[0]!.find('.ranges__v6 .strip__title').text()).toBe(
      'Group media — UDP towards reflect.lab.test over IPv6',
    );
  });

  it('puts IPv6 latency bars right under their IPv4 bar, labelled', () => {
    const udp = latencyGroups(loadFixture('dual-stack-open')).find((g) => g.transport === 'udp')!;
    const ids = udp.rows.map((r) => r.id);
    expect(ids.indexOf('stun:udp:turn.lab.test:3478/v6')).toBe(ids.indexOf('stun:udp:turn.lab.test:3478') + 1);
    expect(udp.rows.find((r) => r.family === 6)!.label).toMatch(/^IPv6 · STUN over UDP/);
  });

  it('shows the IPv6 host facts briefly, and nothing for a report without them', () => {
    const w = mount(ReportView, { props: { report: loadFixture('dual-stack-open') } });
    const facts = w.find('[data-facts="ipv6"]');
    expect(facts.text()).toContain('temporary');
    expect(facts.text()).toContain('Default route: via fd77:1::1 on veth-client.');
    const old = mount(ReportView, { props: { report: loadFixture('open') } });
    expect(old.find('[data-facts="ipv6"]').exists()).toBe(false);
    expect(old.find('.check--v6').exists()).toBe(false);
    expect(old.find('.fams').exists()).toBe(false);
  });
});
