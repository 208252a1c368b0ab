// @vitest-environment happy-dom
import { mount, type VueWrapper } from '@vue/test-utils';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';
import { detectMacFirewall, detectWindowsFirewall } from '#node/firewall/platforms';
import type { Runner } from '#node/firewall/run';
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

/** The Fix dialog on Windows (UAC) and macOS (a filter app): what the helpdesk sees and what the page sends. */
const FIXTURES = resolve(import.meta.dirname, '../../../fixtures/reports');
const SAMPLES = resolve(import.meta.dirname, '../../node/firewall/samples');
const TURN_UDP = 'turn:udp:turn.lab.test:3478';
const out = (stdout: string) => ({ ok: true, missing: false, code: 0, stdout, stderr: '' });

function blockedLocally(): Report {
  const r = parseReportJson(readFileSync(join(FIXTURES, 'only-tcp-443.json'), 'utf8'));
  if (!r.ok) throw new Error('fixture');
  r.report.firewall = {
    layer: 'local',
    blocked: [
      {
        protocol: 'udp',
        ports: [[3478, 3478]],
        to: ['turn.lab.test'],
        purpose: 'TURN over UDP',
        checks: [TURN_UDP],
        layer: 'local',
      },
    ],
  };
  return r.report;
}

const windowsBlockingByDefault: Runner = async () =>
  out(
    JSON.stringify({
      profiles: [
        { Name: 'Domain', Enabled: 'True', DefaultOutboundAction: 'Block', AllowLocalFirewallRules: 'NotConfigured' },
      ],
      blockRules: [],
      products: [],
    }),
  );
const macWithLittleSnitch: Runner = async (file, args) =>
  file === '/usr/bin/systemextensionsctl'
    ? out(readFileSync(join(SAMPLES, 'systemextensionsctl-filters.txt'), 'utf8'))
    : { ok: false, missing: false, code: 1, stdout: '', stderr: args.join(' ') };

let s: ReportsSetup;
let w: VueWrapper | null = null;
let sent: Array<[string, unknown]>;
beforeEach(() => {
  s = reportsSetup();
  sent = [];
});
afterEach(() => {
  w?.unmount();
  w = null;
  delete window.pathcheck;
  s.cleanup();
});

async function openDialog(platform: 'win32' | 'darwin', run: Runner) {
  const applyPlatform = vi.fn(async (_plan: unknown, action: 'apply' | 'undo') => ({
    ok: true,
    action,
    changed: 1,
    elevation: 'uac' as const,
    exitCode: 0,
    error: null,
  }));
  const fw = {
    ...fakeFirewallDeps(),
    platform,
    detect: () => (platform === 'win32' ? detectWindowsFirewall(run, 1000) : detectMacFirewall(run, 1000)),
    applyPlatform,
  };
  const harness = reportsHarness(s, fw as never);
  window.pathcheck = createBridge({
    invoke: (channel, payload) => {
      sent.push([channel, payload]);
      return harness.transport.invoke(channel, payload);
    },
    subscribe: harness.transport.subscribe,
  });
  const id = await seedRun(harness, blockedLocally());
  sent = [];
  const pinia = createPinia();
  setActivePinia(pinia);
  await useFirewallStore().open({ reportId: id });
  w = mount(FixDialog, { global: { plugins: [pinia] }, attachTo: document.body });
  return { page: w, id, fw };
}
const button = (page: VueWrapper, name: RegExp) => page.findAll('button').find((b) => name.test(b.text()));

describe('Fix dialog on Windows', () => {
  it('shows the PowerShell rules, applies after consent through UAC, and the page sent only the report id and consent', async () => {
    const { page, id, fw } = await openDialog('win32', windowsBlockingByDefault);
    expect(page.find('pre[aria-label="Rules to apply"]').text()).toContain(
      "New-NetFirewallRule -Name 'pathcheck-udp-1'",
    );
    await page.find('.fix__consent input').setValue(true);
    fw.recheck.mockResolvedValue(blockedLocally());
    await button(page, /Apply with administrator rights/)!.trigger('click');
    await vi.waitFor(() => expect(page.text()).toContain('Added 1 rule(s) after the administrator prompt.'));
    expect(sent.filter(([c]) => c === 'firewall:apply')).toEqual([['firewall:apply', { reportId: id, consent: true }]]);
    expect(fw.applyPlatform).toHaveBeenCalledWith(expect.objectContaining({ platform: 'win32' }), 'apply');
  });
});

describe('Fix dialog on macOS', () => {
  it('Little Snitch running: no Apply, and the note says what to allow in it', async () => {
    const { page, fw } = await openDialog('darwin', macWithLittleSnitch);
    expect(button(page, /Apply/)).toBeUndefined();
    expect(page.find('[role="note"]').text()).toContain('in Little Snitch, allow outgoing connections from Pathcheck');
    expect(fw.applyPlatform).not.toHaveBeenCalled();
  });
});
