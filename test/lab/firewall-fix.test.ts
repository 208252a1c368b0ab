// Issue 7's lab e2e: "fix my firewall" through the app's own main-process handlers, inside the lab's
// client namespace (test/lab/fix-app.ts runs createHandlers() with the real engine, detection, the
// fixed apply script and recheck). A local drop → diagnose → planFix offers a local apply → apply the
// generated nftables rules as root → the re-check passes → undo → it fails again. A perimeter drop →
// no apply (refused with the reason) → the ticket (Cisco ASA rules + evidence, PDF appendix).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirewallApplied, FirewallPlanView, FirewallRechecked, FirewallTicket } from '#common/ipc/firewall';
import type { IpcResult } from '#common/ipc/result';
import type { Report } from '#common/report/schema';
import { missingPrereqs, prereqs, type Prereq } from '../support/prereq';
import * as lab from './lab.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const JITI = join(ROOT, 'node_modules/jiti/lib/jiti-cli.mjs');
const CHILD = 'test/lab/fix-app.ts';
const NO_PROXY_ENV = {
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  ALL_PROXY: '',
  all_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};
const TURN_UDP = 'turn:udp:turn.lab.test:3478';

const jq: Prereq = {
  name: 'jq (the apply script reads its plan with it)',
  present: () => {
    try {
      return readFileSync('/usr/bin/jq').length > 0;
    } catch {
      return false;
    }
  },
  install: 'apt-get install jq',
};
const skip = missingPrereqs('lab firewall fix', [prereqs.root, prereqs.ip, prereqs.nft, prereqs.coturn, jq]);

let state: string;

/** One step of fix-app.ts in pc-client; returns its JSON. */
async function step<T>(...args: string[]): Promise<T> {
  const r = await lab.clientExec(['node', JITI, CHILD, state, ...args], { timeoutMs: 90_000, env: NO_PROXY_ENV });
  if (r.timedOut || r.code !== 0)
    throw new Error(
      `fix-app ${args.join(' ')}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\n${r.stderr.slice(-3000)}`,
    );
  return JSON.parse(r.stdout) as T;
}

function value<T>(r: IpcResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** The client's ruleset, for "were exactly the tagged rules added / removed". */
async function clientRuleset(): Promise<string> {
  return (await lab.clientExec(['nft', 'list', 'ruleset'])).stdout;
}

const tagged = (ruleset: string) => ruleset.split('\n').filter((l) => l.includes('comment "pathcheck"'));

function statusOf(report: Report, id: string): string | undefined {
  return report.checks.find((c) => c.id === id)?.status;
}

/** Diagnose + plan, then apply → recheck passes → undo → recheck fails again, checking nft each time. */
async function fixCycle(opts: { failing: string[]; chainText: string }) {
  const { report, plan: planResult } = await step<{ report: Report; plan: IpcResult<FirewallPlanView> }>(
    'diagnose-plan',
  );
  const plan = value(planResult, 'firewall:plan');
  const digest = `checks: ${report.checks.map((c) => `${c.id}=${c.status}/${c.reason}/${c.layer ?? '-'}`).join(' ')}\nblocked: ${JSON.stringify(report.firewall)}`;
  for (const id of opts.failing) expect(statusOf(report, id), `${id} fails before the fix\n${digest}`).toBe('fail');
  expect(plan, digest).toMatchObject({ mode: 'local', canApply: true, refusal: null, local: { target: 'nftables' } });
  expect(plan.local!.text).toContain(opts.chainText);
  expect(tagged(await clientRuleset())).toEqual([]);

  const applied = value(await step<IpcResult<FirewallApplied>>('apply', plan.reportId), 'firewall:apply');
  expect(applied, JSON.stringify(applied)).toMatchObject({ ok: true, elevation: 'root', error: null });
  expect(applied.changed).toBeGreaterThan(0);
  const afterApply = tagged(await clientRuleset());
  expect(afterApply).toHaveLength(applied.changed);
  expect(afterApply.every((l) => l.includes('accept'))).toBe(true);

  const fixed = value(await step<IpcResult<FirewallRechecked>>('recheck', plan.reportId), 'firewall:recheck');
  const fixedDigest = JSON.stringify(fixed.rerun);
  for (const id of opts.failing) {
    expect(
      fixed.rerun.find((r) => r.id === id),
      `${id} was re-run: ${fixedDigest}`,
    ).toMatchObject({ before: 'fail', after: 'pass' });
    expect(statusOf(fixed.report, id)).toBe('pass');
  }
  // Only what failed was re-run: nothing that passed before is in the re-run list.
  expect(fixed.rerun.every((r) => r.before === 'fail' || r.before === 'skipped')).toBe(true);
  expect(
    fixed.report.firewall.blocked.filter((b) => b.layer === 'local'),
    JSON.stringify(fixed.report.firewall),
  ).toEqual([]);

  const undone = value(await step<IpcResult<FirewallApplied>>('undo', plan.reportId), 'firewall:undo');
  expect(undone).toMatchObject({ ok: true, changed: applied.changed });
  expect(tagged(await clientRuleset())).toEqual([]);

  const again = value(
    await step<IpcResult<FirewallRechecked>>('recheck', plan.reportId),
    'firewall:recheck after undo',
  );
  for (const id of opts.failing)
    expect(
      again.rerun.find((r) => r.id === id),
      JSON.stringify(again.rerun),
    ).toMatchObject({ before: 'fail', after: 'fail' });
  return { report, plan, fixed, again };
}

describe.skipIf(skip)('lab: fix my firewall (issue 7)', () => {
  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'pathcheck-fix-'));
    mkdirSync(join(state, 'profiles'));
    copyFileSync(join(ROOT, 'test/lab/profile.json'), join(state, 'profiles/lab.json'));
    await lab.up();
  }, 150_000);

  afterAll(async () => {
    await lab.clientExec(['nft', 'delete', 'table', 'inet', 'pc_fixtest']).catch(() => undefined);
    await lab.clientExec(['nft', 'delete', 'table', 'inet', 'mullvad']).catch(() => undefined);
    await lab.clientExec(['nft', 'delete', 'table', 'ip', 'pc_fixtest2']).catch(() => undefined);
    await lab.down();
    rmSync(state, { recursive: true, force: true });
  }, 60_000);

  it('local drop of UDP 3478: apply the generated nftables fix → TURN over UDP passes → undo → fails again', async () => {
    await lab.scenario('local-drop-udp-3478');
    const { report } = await fixCycle({ failing: [TURN_UDP], chainText: 'inet pc_fw local_out' });
    expect(report.firewall.layer).toBe('local');
  }, 300_000);

  it('local drop of TCP 443 (an extra nft rule in pc-client): fix → TURN over TLS and signaling pass → undo → fail again', async () => {
    await lab.scenario('open');
    const add = await lab.clientExec(['nft', '-f', '-'], {
      input:
        'table inet pc_fixtest {\n  chain out {\n    type filter hook output priority filter; policy accept;\n    tcp dport 443 counter drop\n  }\n}\n',
    });
    expect(add.code, add.stderr).toBe(0);
    try {
      await fixCycle({
        failing: ['turn:tls:turn.lab.test:443', 'tls:sig.lab.test:443'],
        chainText: 'inet pc_fixtest out',
      });
    } finally {
      await lab.clientExec(['nft', 'delete', 'table', 'inet', 'pc_fixtest']);
    }
  }, 300_000);

  it('a drop in two chains of tables of other names (inet pc_fixtest out, ip pc_fixtest2 out): the fix goes into both → passes → undo → fails', async () => {
    await lab.scenario('open');
    const add = await lab.clientExec(['nft', '-f', '-'], {
      input:
        'table inet pc_fixtest {\n  chain out {\n    type filter hook output priority filter; policy accept;\n    udp dport 3478 counter drop\n  }\n}\n' +
        'table ip pc_fixtest2 {\n  chain out {\n    type filter hook output priority 10; policy accept;\n    udp dport 3478 counter drop\n  }\n}\n',
    });
    expect(add.code, add.stderr).toBe(0);
    try {
      const { plan } = await fixCycle({ failing: [TURN_UDP], chainText: 'inet pc_fixtest out' });
      // The preview names both chains, as the elevated apply writes to both.
      expect(plan.local!.text).toContain('ip pc_fixtest2 out');
    } finally {
      await lab.clientExec(['nft', 'delete', 'table', 'inet', 'pc_fixtest']);
      await lab.clientExec(['nft', 'delete', 'table', 'ip', 'pc_fixtest2']);
    }
  }, 300_000);

  it('a drop in a VPN kill-switch table (inet mullvad output): no apply, the reason names the table, nothing changed', async () => {
    await lab.scenario('open');
    const add = await lab.clientExec(['nft', '-f', '-'], {
      input:
        'table inet mullvad {\n  chain output {\n    type filter hook output priority filter; policy accept;\n    udp dport 3478 counter drop\n  }\n}\n',
    });
    expect(add.code, add.stderr).toBe(0);
    try {
      const { report, plan: planResult } = await step<{ report: Report; plan: IpcResult<FirewallPlanView> }>(
        'diagnose-plan',
      );
      const before = await clientRuleset();
      const plan = value(planResult, 'firewall:plan');
      expect(statusOf(report, TURN_UDP), JSON.stringify(report.firewall)).toBe('fail');
      expect(plan, JSON.stringify(report.firewall)).toMatchObject({ mode: 'local', canApply: false });
      expect(plan.refusal).toMatch(/inet mullvad output \(Mullvad VPN\), which belongs to another product/);
      const refused = await step<IpcResult<FirewallApplied>>('apply', plan.reportId);
      expect(refused).toMatchObject({ ok: false, error: { code: 'fix-refused' } });
      expect(await clientRuleset()).toBe(before);
    } finally {
      await lab.clientExec(['nft', 'delete', 'table', 'inet', 'mullvad']);
    }
  }, 300_000);

  it('perimeter drop of UDP 3478: no local apply (refused, with the reason), the ticket is produced', async () => {
    await lab.scenario('perimeter-drop-udp-3478');
    const before = await clientRuleset();
    const { report, plan: planResult } = await step<{ report: Report; plan: IpcResult<FirewallPlanView> }>(
      'diagnose-plan',
    );
    const plan = value(planResult, 'firewall:plan');
    expect(statusOf(report, TURN_UDP)).toBe('fail');
    expect(plan, JSON.stringify(report.firewall)).toMatchObject({ mode: 'ticket', canApply: false, local: null });
    expect(plan.refusal).toMatch(/perimeter firewall/);
    expect(plan.ticket.some((b) => b.protocol === 'udp' && b.ports.some(([a, z]) => a <= 3478 && 3478 <= z))).toBe(
      true,
    );

    const refused = await step<IpcResult<FirewallApplied>>('apply', plan.reportId);
    expect(refused).toMatchObject({ ok: false, error: { code: 'fix-refused' } });
    expect(await clientRuleset()).toBe(before);

    const out = join(state, 'ticket.pdf');
    const { ticket, pdf } = await step<{ ticket: IpcResult<FirewallTicket>; pdf: IpcResult<{ saved: boolean }> }>(
      'ticket',
      plan.reportId,
      'cisco-asa',
      out,
    );
    const t = value(ticket, 'firewall:ticket');
    expect(t).toMatchObject({ target: 'cisco-asa', label: 'Cisco ASA' });
    expect(t.text).toMatch(/access-list \S+ extended permit udp/);
    expect(t.text).toContain('3478');
    expect(t.summary).toMatch(/Pathcheck network lab/);
    expect(t.summary).toMatch(/perimeter/);
    expect(value(pdf!, 'report:pdf')).toMatchObject({ saved: true });
    const printed = readFileSync(out, 'utf8');
    expect(printed).toContain('Appendix: firewall rules');
    expect(printed).toContain('access-list');
  }, 300_000);
});
