// @vitest-environment happy-dom
import { mount, type VueWrapper } from '@vue/test-utils';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';
import { createHistory } from '#node/report/history';
import { createBridge } from '#preload/bridge';
import FixDialog from '#renderer/components/firewall/FixDialog.vue';
import { useFirewallStore } from '#renderer/stores/firewall';
import {
  fakeFirewallDeps,
  reportsHarness,
  reportsSetup,
  seedRun,
  type ReportsSetup,
} from '../../main/ipc/reports-support';
import type { IpcHarness } from '#test/support/ipc-harness';

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures/reports');
const TURN_UDP = 'turn:udp:turn.lab.test:3478';

function blockedAt(layer: 'local' | 'perimeter'): Report {
  const r = parseReportJson(readFileSync(join(FIXTURES, 'only-tcp-443.json'), 'utf8'));
  if (!r.ok) throw new Error('fixture');
  r.report.firewall = {
    layer,
    blocked: [
      {
        protocol: 'udp',
        ports: [[3478, 3478]],
        to: ['turn.lab.test'],
        purpose: 'TURN over UDP',
        checks: [TURN_UDP],
        layer,
      },
    ],
  };
  return r.report;
}

let s: ReportsSetup;
let harness: IpcHarness;
let fw: ReturnType<typeof fakeFirewallDeps>;
let w: VueWrapper | null = null;
/** Every payload the page sent to main, by channel. */
let sent: Array<[string, unknown]>;

beforeEach(() => {
  s = reportsSetup();
  fw = fakeFirewallDeps();
  harness = reportsHarness(s, fw);
  const transport = harness.transport;
  sent = [];
  window.pathcheck = createBridge({
    invoke: (channel, payload) => {
      sent.push([channel, payload]);
      return transport.invoke(channel, payload);
    },
    subscribe: transport.subscribe,
  });
});

afterEach(() => {
  w?.unmount();
  w = null;
  delete window.pathcheck;
  s.cleanup();
});

/** Opens the dialog on a report main measured in this session (the only kind it may apply). */
async function openDialog(report: Report): Promise<{ page: VueWrapper; id: string }> {
  const id = await seedRun(harness, report);
  sent = [];
  const pinia = createPinia();
  setActivePinia(pinia);
  const store = useFirewallStore();
  await store.open({ reportId: id });
  w = mount(FixDialog, { global: { plugins: [pinia] }, attachTo: document.body });
  return { page: w, id };
}

const button = (page: VueWrapper, name: RegExp) => page.findAll('button').find((b) => name.test(b.text()));

describe('Fix dialog: local block', () => {
  it('shows exactly the rules, asks for consent, applies, re-checks and shows before/after; Undo removes them', async () => {
    const { page, id } = await openDialog(blockedAt('local'));
    expect(page.find('[role="dialog"]').attributes('aria-modal')).toBe('true');
    expect(page.find('pre[aria-label="Rules to apply"]').text()).toContain('inet pc_fw local_out');
    expect(page.find('pre[aria-label="Rules to apply"]').text()).toContain('10.77.2.0/24');
    // Why local, in words an admin can check: what was seen, the conclusion, the checks it rests on.
    expect(page.find('.fix__why').text()).toMatch(/this computer\u2019s firewall.*Checks: .*turn:udp/s);
    const apply = () => button(page, /Apply with administrator rights/)!;
    expect(apply().attributes('disabled')).toBeDefined();
    await page.find('.fix__consent input').setValue(true);
    expect(apply().attributes('disabled')).toBeUndefined();

    const after = structuredClone(blockedAt('local'));
    after.checks = after.checks.map((c) =>
      c.id === TURN_UDP ? { ...c, status: 'pass' as const, reason: 'allocated' } : c,
    );
    after.firewall = { layer: 'unknown', blocked: [] };
    fw.recheck.mockResolvedValue(after);
    await apply().trigger('click');
    await vi.waitFor(() => expect(page.find('.ba').exists()).toBe(true));
    expect(page.text()).toContain('Added 2 rule(s)');
    const row = page.find(`.ba [data-check="${TURN_UDP}"]`);
    expect(
      row
        .findAll('td')
        .map((td) => td.text())
        .slice(1),
    ).toEqual(['fail', 'pass']);

    // The page sent only the report id and consent — never rules or commands.
    const applyCalls = sent.filter(([c]) => c === 'firewall:apply');
    expect(applyCalls).toEqual([['firewall:apply', { reportId: id, consent: true }]]);
    expect(fw.apply).toHaveBeenCalledWith(
      expect.objectContaining({ tag: 'pathcheck', chains: [{ family: 'inet', table: 'pc_fw', chain: 'local_out' }] }),
      'apply',
    );

    fw.recheck.mockResolvedValue(blockedAt('local'));
    await button(page, /Undo/)!.trigger('click');
    await vi.waitFor(() => expect(page.text()).toContain('Removed 2 rule(s) tagged pathcheck'));
    expect(fw.apply).toHaveBeenLastCalledWith(expect.objectContaining({ tag: 'pathcheck' }), 'undo');
    const again = page.findAll('.ba')[1]!;
    expect(
      again
        .find(`[data-check="${TURN_UDP}"]`)
        .findAll('td')
        .map((td) => td.text())
        .slice(1),
    ).toEqual(['fail', 'fail']);
  });

  it('policy forbids local rules: the rules to copy, no consent or Apply, and why', async () => {
    fw.detect.mockResolvedValue({
      platform: 'linux',
      outboundDefault: 'allow',
      localRulesAllowed: false,
      notes: [],
      engines: [],
      dropChains: [],
    });
    const { page } = await openDialog(blockedAt('local'));
    expect(page.find('pre[aria-label="Rules to apply"]').exists()).toBe(true);
    expect(page.find('.fix__consent').exists()).toBe(false);
    expect(button(page, /Apply/)).toBeUndefined();
    expect(page.find('[role="note"]').text()).toMatch(/Pathcheck will not apply these rules here\.\s*Policy/);
  });

  it('a failed elevation (prompt dismissed) is shown, nothing is reported as applied', async () => {
    fw.apply.mockResolvedValueOnce({
      ok: false,
      action: 'apply',
      added: [],
      removed: [],
      elevation: 'pkexec',
      exitCode: 126,
      error: 'Request dismissed',
    });
    const { page } = await openDialog(blockedAt('local'));
    await page.find('.fix__consent input').setValue(true);
    await button(page, /Apply/)!.trigger('click');
    await vi.waitFor(() => expect(page.find('[role="alert"]').exists()).toBe(true));
    expect(page.find('[role="alert"]').text()).toContain('Request dismissed');
    expect(fw.recheck).not.toHaveBeenCalled();
  });
});

describe('Fix dialog: perimeter block → ticket', () => {
  it('offers no apply; "Prepare ticket for the network team" gives selectable syntax, evidence, rules and a PDF with the appendix', async () => {
    const { page, id } = await openDialog(blockedAt('perimeter'));
    expect(button(page, /Apply/)).toBeUndefined();
    expect(page.find('[role="note"]').text()).toMatch(/not on this computer/);
    await button(page, /^Prepare ticket for the network team$/)!.trigger('click');
    await vi.waitFor(() => expect(page.find('.ticket__rules').exists()).toBe(true));
    const select = page.find('select[aria-label="Firewall syntax"]');
    expect(select.findAll('optgroup').map((g) => g.attributes('label'))).toEqual([
      'Perimeter firewalls',
      'Cloud',
      'Proxies',
    ]);
    expect((select.element as HTMLSelectElement).value).toBe('cisco-asa');
    expect(page.find('.ticket__rules').text()).toMatch(/access-list PATHCHECK-OUT extended permit udp/);
    expect(page.find('.ticket__summary').text()).toMatch(/^Pathcheck .* Lab stack/);

    await select.setValue('aws-sg');
    await vi.waitFor(() => expect(page.find('.ticket__rules').text()).toContain('aws ec2'));

    s.nextSavePath = join(s.root, 'ticket.pdf');
    await button(page, /Save PDF with these rules/)!.trigger('click');
    await vi.waitFor(() => expect(s.printed).toHaveLength(1));
    expect(s.printed[0]!.html).toContain('Appendix: firewall rules');
    expect(s.printed[0]!.html).toContain('AWS security group');
    expect(sent.find(([c]) => c === 'report:pdf')).toEqual(['report:pdf', { id, firewallTarget: 'aws-sg' }]);
  });
});

describe('FixButton', () => {
  it('is shown only when something is blocked, and only the button that opened the dialog shows it', async () => {
    const { default: FixButton } = await import('#renderer/components/firewall/FixButton.vue');
    const report = blockedAt('local');
    const id = (await createHistory(s.historyDir).save(report)).id;
    const pinia = createPinia();
    const open = parseReportJson(readFileSync(join(FIXTURES, 'open.json'), 'utf8'));
    if (!open.ok) throw new Error('fixture');
    const nothing = mount(FixButton, {
      props: { target: { reportId: id }, report: open.report },
      global: { plugins: [pinia] },
    });
    expect(nothing.find('button').exists()).toBe(false);
    const a = mount(FixButton, {
      props: { target: { reportId: id }, report },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    const b = mount(FixButton, {
      props: { target: { reportId: id }, report },
      global: { plugins: [pinia] },
      attachTo: document.body,
    });
    await b.find('button').trigger('click');
    await vi.waitFor(() => expect(b.find('[role="dialog"] pre').exists()).toBe(true));
    expect(a.find('[role="dialog"]').exists()).toBe(false);
    expect(document.querySelectorAll('[role="dialog"]')).toHaveLength(1);
    await b.find('[role="dialog"] button').trigger('click'); // Close
    expect(document.querySelectorAll('[role="dialog"]')).toHaveLength(0);
    for (const x of [nothing, a, b]) x.unmount();
  });
});

describe('FixButton on a perimeter block', () => {
  it('is labelled as the ticket and opens straight on it, with the reason', async () => {
    const { default: FixButton } = await import('#renderer/components/firewall/FixButton.vue');
    const report = blockedAt('perimeter');
    const id = (await createHistory(s.historyDir).save(report)).id;
    const b = mount(FixButton, {
      props: { target: { reportId: id }, report },
      global: { plugins: [createPinia()] },
      attachTo: document.body,
    });
    expect(b.find('button').text()).toBe('Prepare ticket for the network team');
    await b.find('button').trigger('click');
    await vi.waitFor(() => expect(b.find('.ticket__rules').exists()).toBe(true));
    expect(b.find('#fix-title').text()).toBe('Ticket for the network team');
    expect(b.find('[role="note"]').text()).toMatch(/not on this computer/);
    expect(b.find('.ticket__rules').text()).toMatch(/access-list/);
    b.unmount();
  });
});
