import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Profile } from '#common/profile/schema';
import type { Report } from '#common/report/schema';
import { keepPlanned } from '#main/ipc/firewall-handlers';
import { mergeResults } from '#node/engine/recheck';
import { createHistory } from '#node/report/history';
import type { IpcHarness } from '#test/support/ipc-harness';
import { loadFixture } from '../../common/report/fixtures';
import { fakeFirewallDeps, reportsHarness, reportsSetup, seedRun, type ReportsSetup } from './reports-support';

let s: ReportsSetup;
let fw: ReturnType<typeof fakeFirewallDeps>;
let h: IpcHarness;

beforeEach(() => {
  s = reportsSetup();
  fw = fakeFirewallDeps();
  h = reportsHarness(s, fw);
});
afterEach(() => s.cleanup());

const TURN_UDP = 'turn:udp:turn.lab.test:3478';

/** only-tcp-443 with UDP 3478 to TURN blocked at `layer` (what the lab's drop-udp-3478 scenarios produce). */
function blockedAt(layer: 'local' | 'perimeter' | 'proxy'): Report {
  const r = structuredClone(loadFixture('only-tcp-443'));
  r.firewall = {
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
  return r;
}

/** A report main measured itself in this session (the only kind the firewall may act on). */
function seed(report: Report): Promise<string> {
  return seedRun(h, report);
}

/** A report that is only a file in the history (imported, or from an earlier session). */
async function seedFile(report: Report): Promise<string> {
  return (await createHistory(s.historyDir).save(report)).id;
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('firewall:plan', () => {
  it('a local block: the exact nftables rules for the chain that drops, apply offered', async () => {
    const id = await seed(blockedAt('local'));
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan).toMatchObject({
      reportId: id,
      mode: 'local',
      canApply: true,
      refusal: null,
      applied: false,
      local: { target: 'nftables', format: 'nft' },
    });
    expect(plan.local!.text).toContain('inet pc_fw local_out');
    expect(plan.local!.text).toContain('10.77.2.0/24');
    expect(plan.local!.text).toContain('3478');
    expect(plan.local!.undo).toMatch(/pathcheck/);
  });

  it('a perimeter block: ticket mode with the reason, perimeter/cloud/proxy targets only', async () => {
    const id = await seed(blockedAt('perimeter'));
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan).toMatchObject({ mode: 'ticket', canApply: false, local: null });
    expect(plan.refusal).toMatch(/perimeter firewall/);
    expect(plan.ticket).toHaveLength(1);
    const kinds = new Set(plan.ticketTargets.map((t) => t.kind));
    expect([...kinds].sort()).toEqual(['cloud', 'perimeter', 'proxy']);
    expect(plan.ticketTargets.map((t) => t.id)).toContain('cisco-asa');
  });

  it('policy forbids local rules: rules shown, apply refused with the reason', async () => {
    const id = await seed(blockedAt('local'));
    fw.detect.mockResolvedValueOnce({
      platform: 'linux',
      outboundDefault: 'allow',
      localRulesAllowed: false,
      notes: [],
      engines: [],
      dropChains: [],
    });
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan).toMatchObject({ mode: 'local', canApply: false });
    expect(plan.refusal).toMatch(/Policy/);
  });

  it('a report whose profile is unknown here: a clear error, no rules', async () => {
    const r = blockedAt('local');
    r.profile = { id: 'somewhere-else', name: 'Elsewhere' };
    const id = await seedFile(r);
    expect(await h.invoke('firewall:plan', { reportId: id })).toMatchObject({
      ok: false,
      error: { code: 'profile-unknown' },
    });
  });
});

describe('firewall:apply / undo', () => {
  it('needs consent: a missing or false consent never reaches the handler', async () => {
    const id = await seed(blockedAt('local'));
    for (const payload of [{ reportId: id }, { reportId: id, consent: false }, { reportId: id, consent: 'yes' }]) {
      expect(await h.invoke('firewall:apply', payload as never)).toMatchObject({
        ok: false,
        error: { code: 'invalid-payload' },
      });
    }
    expect(fw.apply).not.toHaveBeenCalled();
  });

  it('never accepts rules, commands or a plan from the page (strict payloads)', async () => {
    const id = await seed(blockedAt('local'));
    const hostile = [
      { reportId: id, consent: true, rules: 'nft flush ruleset' },
      {
        reportId: id,
        consent: true,
        plan: { version: 1, tag: 'pathcheck', chain: { family: 'inet', table: 'x;reboot', chain: 'y' }, rules: [] },
      },
      { reportId: id, consent: true, script: '/tmp/evil.sh' },
    ];
    for (const payload of hostile)
      expect(await h.invoke('firewall:apply', payload as never)).toMatchObject({
        ok: false,
        error: { code: 'invalid-payload' },
      });
    expect(fw.apply).not.toHaveBeenCalled();
  });

  it('applies the plan main derives from the stored report, then undo removes exactly it', async () => {
    const id = await seed(blockedAt('local'));
    const applied = value(await h.invoke('firewall:apply', { reportId: id, consent: true }));
    expect(applied).toEqual({ ok: true, changed: 2, elevation: 'root', error: null });
    expect(fw.apply).toHaveBeenCalledTimes(1);
    const [plan, action] = fw.apply.mock.calls[0]!;
    expect(action).toBe('apply');
    expect(plan).toEqual({
      version: 2,
      tag: 'pathcheck',
      chains: [{ family: 'inet', table: 'pc_fw', chain: 'local_out' }],
      discover: false,
      rules: [
        { family: 4, protocol: 'udp', daddr: ['10.77.2.0/24'], ports: [[3478, 3478]] },
        { family: 6, protocol: 'udp', daddr: ['fd77:2::/64'], ports: [[3478, 3478]] },
      ],
    });
    expect(value(await h.invoke('firewall:plan', { reportId: id })).applied).toBe(true);

    const undone = value(await h.invoke('firewall:undo', { reportId: id, consent: true }));
    expect(undone).toMatchObject({ ok: true, changed: 2 });
    // Exactly the rules the apply reported adding (handle + chain), nothing found by tag elsewhere.
    expect(fw.apply.mock.calls[1]).toEqual([
      {
        ...plan,
        remove: [
          { handle: 7, family: 'inet', table: 'pc_fw', chain: 'local_out' },
          { handle: 8, family: 'inet', table: 'pc_fw', chain: 'local_out' },
        ],
      },
      'undo',
    ]);
    expect(value(await h.invoke('firewall:plan', { reportId: id })).applied).toBe(false);
  });

  it('after a restart, undo still removes exactly the recorded handles', async () => {
    const id = await seed(blockedAt('local'));
    value(await h.invoke('firewall:apply', { reportId: id, consent: true }));
    const restarted = reportsHarness(s, fw);
    expect(value(await restarted.invoke('firewall:plan', { reportId: id })).applied).toBe(true);
    value(await restarted.invoke('firewall:undo', { reportId: id, consent: true }));
    expect(fw.apply.mock.calls[1]![0].remove).toEqual([
      { handle: 7, family: 'inet', table: 'pc_fw', chain: 'local_out' },
      { handle: 8, family: 'inet', table: 'pc_fw', chain: 'local_out' },
    ]);
    expect(value(await reportsHarness(s, fw).invoke('firewall:plan', { reportId: id })).applied).toBe(false);
  });

  it('one change at a time: a second apply while the first waits for elevation is refused', async () => {
    const id = await seed(blockedAt('local'));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = fw.apply.getMockImplementation() as (...args: unknown[]) => Promise<unknown>;
    fw.apply.mockImplementationOnce(async (plan, action) => {
      await gate;
      return real(plan, action);
    });
    const first = h.invoke('firewall:apply', { reportId: id, consent: true });
    await vi.waitFor(() => expect(fw.apply).toHaveBeenCalledTimes(1));
    expect(await h.invoke('firewall:apply', { reportId: id, consent: true })).toMatchObject({
      ok: false,
      error: { code: 'fix-busy' },
    });
    release();
    expect(value(await first).ok).toBe(true);
    expect(fw.apply).toHaveBeenCalledTimes(1);
    expect(value(await h.invoke('firewall:undo', { reportId: id, consent: true })).ok).toBe(true);
  });

  it('refuses to apply a perimeter block, with the reason, and runs nothing', async () => {
    const id = await seed(blockedAt('perimeter'));
    const r = await h.invoke('firewall:apply', { reportId: id, consent: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'fix-refused' } });
    if (!r.ok) expect(r.error.message).toMatch(/not on this computer/);
    expect(fw.apply).not.toHaveBeenCalled();
  });

  it('passes on the script failure (cancelled prompt) as a result, not as applied', async () => {
    fw.apply.mockResolvedValueOnce({
      ok: false,
      action: 'apply',
      added: [],
      removed: [],
      elevation: 'pkexec',
      exitCode: 126,
      error: 'Request dismissed',
    });
    const id = await seed(blockedAt('local'));
    expect(value(await h.invoke('firewall:apply', { reportId: id, consent: true }))).toEqual({
      ok: false,
      changed: 0,
      elevation: 'pkexec',
      error: 'Request dismissed',
    });
    expect(value(await h.invoke('firewall:plan', { reportId: id })).applied).toBe(false);
  });
});

describe('firewall:recheck', () => {
  it('re-runs through the engine, saves the merged report, and reports before/after of the failed checks', async () => {
    const before = blockedAt('local');
    const id = await seed(before);
    const after = structuredClone(before);
    after.startedAt = '2026-11-27T05:00:00.000Z';
    after.checks = after.checks.map((c) =>
      c.status === 'fail' || c.status === 'skipped' ? { ...c, status: 'pass' as const, reason: 'ok' } : c,
    );
    after.firewall = { layer: 'unknown', blocked: [] };
    fw.recheck.mockResolvedValueOnce(after);
    const r = value(await h.invoke('firewall:recheck', { reportId: id }));
    expect(fw.recheck).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'lab' }),
      expect.objectContaining({ startedAt: before.startedAt }),
    );
    expect(r.beforeId).toBe(id);
    expect(r.afterId).not.toBe(id);
    const profile = fw.recheck.mock.calls[0]![0] as Profile;
    const failedBefore = keepPlanned(profile, before).checks.filter(
      (c) => c.status === 'fail' || c.status === 'skipped',
    );
    expect(failedBefore.length).toBeGreaterThan(0);
    expect(r.rerun.map((x) => x.id).sort()).toEqual(failedBefore.map((c) => c.id).sort());
    expect(r.rerun.every((x) => x.after === 'pass')).toBe(true);
    const list = value(await h.invoke('history:list'));
    expect(list[0]!.id).toBe(r.afterId);
  });
});

describe('firewall:ticket', () => {
  it('rules in the chosen perimeter syntax plus the evidence summary', async () => {
    const id = await seed(blockedAt('perimeter'));
    const t = value(await h.invoke('firewall:ticket', { reportId: id, target: 'cisco-asa' }));
    expect(t).toMatchObject({ target: 'cisco-asa', label: 'Cisco ASA', format: 'config' });
    expect(t.text).toMatch(/access-list/);
    expect(t.text).toContain('3478');
    expect(t.summary).toMatch(/Lab stack/);
    const squid = value(await h.invoke('firewall:ticket', { reportId: id, target: 'panos' }));
    expect(squid.text).not.toBe(t.text);
    expect(await h.invoke('firewall:ticket', { reportId: id, target: 'rm -rf /' as never })).toMatchObject({
      ok: false,
      error: { code: 'invalid-payload' },
    });
  });
});

describe('firewall: only the app\u2019s own measurements may change the firewall', () => {
  it('an imported (or older) report shows its rules but refuses apply, saying why', async () => {
    const id = await seedFile(blockedAt('local'));
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan).toMatchObject({ mode: 'local', canApply: false });
    expect(plan.refusal).toMatch(/only for a diagnosis it ran here itself/);
    expect(plan.local?.text).toContain('udp dport 3478');
    const applied = await h.invoke('firewall:apply', { reportId: id, consent: true });
    expect(applied).toMatchObject({ ok: false, error: { code: 'fix-refused' } });
    expect(fw.apply).not.toHaveBeenCalled();
  });
});

describe('firewall: consent is confirmed by main itself, listing the exact rules', () => {
  it('shows the exact nft rules and where they go; "no" changes nothing', async () => {
    const id = await seed(blockedAt('local'));
    fw.confirm.mockResolvedValueOnce(false);
    const r = await h.invoke('firewall:apply', { reportId: id, consent: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'fix-cancelled' } });
    expect(fw.apply).not.toHaveBeenCalled();
    const asked = fw.confirm.mock.calls[0]![0];
    expect(asked).toMatchObject({ action: 'apply' });
    expect(asked.rules).toEqual([
      'insert rule inet pc_fw local_out ip daddr { 10.77.2.0/24 } udp dport { 3478 } accept comment "pathcheck"',
      'insert rule inet pc_fw local_out ip6 daddr { fd77:2::/64 } udp dport { 3478 } accept comment "pathcheck"',
    ]);
    expect(asked.where.join(' ')).toMatch(/inet pc_fw local_out: it drops this traffic/);
  });

  it('asks also when the app runs as root (no pkexec prompt would follow), and for undo', async () => {
    const id = await seed(blockedAt('local'));
    value(await h.invoke('firewall:apply', { reportId: id, consent: true }));
    expect(fw.confirm).toHaveBeenCalledTimes(1);
    fw.confirm.mockResolvedValueOnce(false);
    expect(await h.invoke('firewall:undo', { reportId: id, consent: true })).toMatchObject({
      ok: false,
      error: { code: 'fix-cancelled' },
    });
    expect(fw.confirm.mock.calls[1]![0]).toMatchObject({
      action: 'undo',
      rules: ['delete rule inet pc_fw local_out handle 7', 'delete rule inet pc_fw local_out handle 8'],
    });
    expect(fw.apply).toHaveBeenCalledTimes(1);
  });

  it("a drop in another product's table: refused with the reason, no dialog, nothing run", async () => {
    const id = await seed(blockedAt('local'));
    fw.detect.mockResolvedValue({
      platform: 'linux',
      outboundDefault: 'drop',
      localRulesAllowed: true,
      notes: [],
      engines: [{ name: 'nftables', present: true, active: true, outboundDefault: 'drop', detail: '' }],
      dropChains: [{ family: 'inet', table: 'mullvad', chain: 'output', policyDrop: true, drops: [] }],
    });
    const plan = value(await h.invoke('firewall:plan', { reportId: id }));
    expect(plan.canApply).toBe(false);
    expect(plan.refusal).toMatch(/inet mullvad output \(Mullvad VPN\)/);
    expect(await h.invoke('firewall:apply', { reportId: id, consent: true })).toMatchObject({
      ok: false,
      error: { code: 'fix-refused' },
    });
    expect(fw.confirm).not.toHaveBeenCalled();
    expect(fw.apply).not.toHaveBeenCalled();
  });
});

describe('firewall:recheck keeps only what the profile plans', () => {
  /** An imported report that names checks and ranges the profile never plans, with every port "required". */
  function hostileImport(): Report {
    const r = blockedAt('local');
    r.ranges = [
      ...r.ranges,
      {
        id: 'udp-range:evil',
        protocol: 'udp',
        host: 'turn.lab.test',
        required: [[1, 65535]],
        allowed: [],
        blocked: [[1, 65535]],
        confidence: 'measured',
        probes: 1,
        resolution: 1,
        layer: 'local',
      } as never,
    ];
    r.checks = [
      ...r.checks,
      {
        id: 'turn:tcp:evil.example.com:1',
        kind: 'turn',
        status: 'fail',
        reason: 'timeout',
        detail: 'x',
        transport: 'tcp',
        host: 'evil.example.com',
        port: 1,
        evidence: {},
        layer: 'local',
      } as never,
    ];
    return r;
  }

  it('never passes unplanned checks or ranges to the re-check, and the merged result has none', async () => {
    const id = await seed(hostileImport());
    fw.recheck.mockImplementationOnce(async (profile: Profile, prev: Report) =>
      mergeResults(profile, prev, { checks: [] }),
    );
    const r = value(await h.invoke('firewall:recheck', { reportId: id }));
    const passed = fw.recheck.mock.calls[0]![1] as Report;
    expect(passed.ranges.map((x) => x.id)).not.toContain('udp-range:evil');
    expect(passed.checks.map((x) => x.id)).not.toContain('turn:tcp:evil.example.com:1');
    expect(r.report.ranges.map((x) => x.id)).not.toContain('udp-range:evil');
    expect(JSON.stringify(r.report.firewall)).not.toMatch(/\[1,65535\]|evil/);
  });

  it('a re-check of an imported report stays not applicable', async () => {
    const id = await seedFile(hostileImport());
    // The re-check still finds the local block (what an imported report would claim).
    fw.recheck.mockImplementationOnce(async () => ({ ...blockedAt('local'), startedAt: '2026-11-28T05:00:00.000Z' }));
    const r = value(await h.invoke('firewall:recheck', { reportId: id }));
    const plan = value(await h.invoke('firewall:plan', { reportId: r.afterId }));
    expect(plan.canApply).toBe(false);
    expect(plan.refusal).toMatch(/only for a diagnosis it ran here itself/);
    expect(await h.invoke('firewall:apply', { reportId: r.afterId, consent: true })).toMatchObject({
      ok: false,
      error: { code: 'fix-refused' },
    });
    expect(fw.apply).not.toHaveBeenCalled();
  });
});
