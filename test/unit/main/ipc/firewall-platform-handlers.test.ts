import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Report } from '#common/report/schema';
import { createHistory } from '#node/report/history';
import { detectMacFirewall, detectWindowsFirewall } from '#node/firewall/platforms';
import { WINDOWS_DETECT_COMMAND } from '#node/firewall/windows/index';
import type { Runner } from '#node/firewall/run';
import type { IpcHarness } from '#test/support/ipc-harness';
import { loadFixture } from '../../common/report/fixtures';
import { fakeFirewallDeps, reportsHarness, reportsSetup, seedRun, type ReportsSetup } from './reports-support';

/**
 * The Fix flow on Windows and macOS, through the same handlers main registers: main rebuilds the
 * platform plan from the stored report and a fresh detection, and only that plan reaches the
 * (faked) elevated script. Detection is the real parser code fed with sample command output.
 */
const samples = join(dirname(fileURLToPath(import.meta.url)), '../../node/firewall/samples');
const sample = (n: string) => readFileSync(join(samples, n), 'utf8');
const out = (stdout: string) => ({ ok: true, missing: false, code: 0, stdout, stderr: '' });

const winRunner =
  (rules: unknown[]): Runner =>
  async (_f, args) => {
    if (args.at(-1) !== WINDOWS_DETECT_COMMAND) throw new Error('unexpected command');
    return out(
      JSON.stringify({
        profiles: [
          { Name: 'Domain', Enabled: 'True', DefaultOutboundAction: 'Block', AllowLocalFirewallRules: 'NotConfigured' },
        ],
        blockRules: rules,
        products: [],
      }),
    );
  };
const macRunner =
  (extensions: string): Runner =>
  async (file, args) => {
    const key = [file, ...args].join(' ');
    if (key === '/sbin/pfctl -s info') return out(sample('pfctl-info-enabled.txt'));
    if (key === '/sbin/pfctl -s rules') return out(sample('pfctl-rules-blocking.txt'));
    if (key === '/usr/bin/systemextensionsctl list') return out(extensions);
    return out('');
  };

function blockedLocally(): Report {
  const r = structuredClone(loadFixture('only-tcp-443'));
  r.firewall = {
    layer: 'local',
    blocked: [
      {
        protocol: 'udp',
        ports: [[3478, 3478]],
        to: ['turn.lab.test'],
        purpose: 'TURN over UDP',
        checks: ['turn:udp:turn.lab.test:3478'],
        layer: 'local',
      },
    ],
  };
  return r;
}

let s: ReportsSetup;
afterEach(() => s.cleanup());

function harness(platform: 'win32' | 'darwin', detect: () => Promise<unknown>) {
  const fw = fakeFirewallDeps();
  const applyPlatform = vi.fn(async (_plan: unknown, action: 'apply' | 'undo') => ({
    ok: true,
    action,
    changed: 1,
    elevation: platform === 'win32' ? ('uac' as const) : ('admin-prompt' as const),
    exitCode: 0,
    error: null,
  }));
  const deps = { ...fw, platform, detect: vi.fn(detect), applyPlatform };
  const h: IpcHarness = reportsHarness(s, deps as never);
  return { h, fw, applyPlatform };
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

beforeEach(() => {
  s = reportsSetup();
});

describe('Windows: the Fix flow with UAC', () => {
  it('DefaultOutboundAction Block: shows the PowerShell rules, applies the plan main rebuilt, undo removes the group', async () => {
    const { h, fw, applyPlatform } = harness('win32', () => detectWindowsFirewall(winRunner([]), 1000));
    const id = await seedRun(h, blockedLocally());
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan).toMatchObject({
      mode: 'local',
      canApply: true,
      refusal: null,
      local: { target: 'windows-powershell' },
    });
    expect(plan.local!.text).toContain(
      "-Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol UDP -RemoteAddress '10.77.2.0/24','fd77:2::/64' -RemotePort '3478'",
    );

    expect(value(await h.invoke('firewall:apply', { reportId: id, consent: true }))).toEqual({
      ok: true,
      changed: 1,
      elevation: 'uac',
      error: null,
    });
    expect(fw.apply).not.toHaveBeenCalled();
    expect(applyPlatform.mock.calls[0]).toEqual([
      {
        platform: 'win32',
        plan: {
          version: 1,
          group: 'Pathcheck',
          rules: [
            {
              name: 'pathcheck-udp-1',
              protocol: 'UDP',
              anyAddress: false,
              remoteAddresses: ['10.77.2.0/24', 'fd77:2::/64'],
              remotePorts: [[3478, 3478]],
            },
          ],
        },
      },
      'apply',
    ]);
    expect(value(await h.invoke('firewall:plan', { reportId: id })).applied).toBe(true);
    value(await h.invoke('firewall:undo', { reportId: id, consent: true }));
    expect(applyPlatform.mock.calls[1]).toEqual([applyPlatform.mock.calls[0]![0], 'undo']);
  });

  it('an enabled block rule (Group Policy) matches: no apply, the refusal names the rule', async () => {
    const { h, applyPlatform } = harness('win32', () =>
      detectWindowsFirewall(winRunner(JSON.parse(sample('windows-block-rules-de.json'))), 1000),
    );
    const id = await seedRun(h, blockedLocally());
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan.canApply).toBe(false);
    expect(plan.refusal).toContain('"Medien ausgehend blockieren (UDP 3478)"');
    expect(await h.invoke('firewall:apply', { reportId: id, consent: true })).toMatchObject({
      ok: false,
      error: { code: 'fix-refused', message: expect.stringContaining('Medien ausgehend blockieren') },
    });
    expect(applyPlatform).not.toHaveBeenCalled();
    // The ticket for whoever manages the policy names the rule and the GPO it comes from.
    const ticket = value(await h.invoke('firewall:ticket', { reportId: id, target: 'windows-powershell' }));
    expect(ticket.notes[0]).toMatch(
      /^On this computer: The outbound block rule "Medien ausgehend blockieren \(UDP 3478\)" .* from Group Policy \(contoso\.local\\Arbeitsplatz-Firewall\)/,
    );
  });

  it('an imported report never drives the elevated script', async () => {
    const { h, applyPlatform } = harness('win32', () => detectWindowsFirewall(winRunner([]), 1000));
    const id = (await createHistory(s.historyDir).save(blockedLocally())).id;
    expect(value(await h.invoke('firewall:plan', { reportId: id })).canApply).toBe(false);
    expect(await h.invoke('firewall:apply', { reportId: id, consent: true })).toMatchObject({
      ok: false,
      error: { code: 'fix-refused' },
    });
    expect(applyPlatform).not.toHaveBeenCalled();
  });
});

describe('macOS: the Fix flow with the administrator prompt', () => {
  it('pf blocks after the com.apple anchor: applies pass rules into com.apple/250.Pathcheck', async () => {
    const { h, applyPlatform } = harness('darwin', () =>
      detectMacFirewall(macRunner(sample('systemextensionsctl-none.txt')), 1000),
    );
    const id = await seedRun(h, blockedLocally());
    expect(value(await h.invoke('firewall:plan', { reportId: id }))).toMatchObject({
      canApply: true,
      local: { target: 'macos-pf' },
    });
    expect(value(await h.invoke('firewall:apply', { reportId: id, consent: true }))).toMatchObject({
      ok: true,
      elevation: 'admin-prompt',
    });
    expect(applyPlatform.mock.calls[0]![0]).toEqual({
      platform: 'darwin',
      plan: {
        version: 1,
        anchor: 'com.apple/250.Pathcheck',
        rules: [
          { family: 4, protocol: 'udp', daddr: ['10.77.2.0/24'], ports: [[3478, 3478]] },
          { family: 6, protocol: 'udp', daddr: ['fd77:2::/64'], ports: [[3478, 3478]] },
        ],
      },
    });
  });

  it('Little Snitch running: no apply; the dialog says what to allow in it', async () => {
    const { h, applyPlatform } = harness('darwin', () =>
      detectMacFirewall(macRunner(sample('systemextensionsctl-filters.txt')), 1000),
    );
    const id = await seedRun(h, blockedLocally());
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan.canApply).toBe(false);
    expect(plan.refusal).toContain(
      'in Little Snitch, allow outgoing connections from Pathcheck (and the app you call with) for UDP 3478 to 10.77.2.0/24, fd77:2::/64',
    );
    expect(applyPlatform).not.toHaveBeenCalled();
  });
});
