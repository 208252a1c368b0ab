import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FirewallInputError, buildFirewallInput, buildNftApplyPlan, type NftApplyPlan } from '../../../../electron/common/firewall/index';
import { applyLinuxPlan, defaultApplyScriptPath, parseApplyOutput } from '../../../../electron/node/firewall/apply';
import type { Runner } from '../../../../electron/node/firewall/run';
import { hasCommand, missingPrereqs, prereqs } from '../../../support/prereq';
import { sampleProfile, sampleReport } from '../../common/firewall/fixtures';

/**
 * The elevated step: apply.ts writes a 0600 plan and starts the fixed script with argv (root: bash
 * directly; otherwise pkexec); the script itself refuses hostile plans before touching nft.
 */
const plan = (): NftApplyPlan => buildNftApplyPlan(buildFirewallInput(sampleProfile(), sampleReport()));
const script = defaultApplyScriptPath();

describe('applyLinuxPlan (runner injected)', () => {
  it('writes the plan 0600 and runs bash <script> <plan> apply directly when root', async () => {
    let seen: { file: string; args: readonly string[]; plan: string; mode: number } | null = null;
    const run: Runner = async (file, args) => {
      const { statSync } = await import('node:fs');
      seen = { file, args, plan: readFileSync(args[1] ?? '', 'utf8'), mode: statSync(args[1] ?? '').mode & 0o777 };
      return { ok: true, missing: false, code: 0, stdout: 'removed 4 inet filter output\nadded 9 inet filter output\n', stderr: '' };
    };
    const r = await applyLinuxPlan(plan(), 'apply', { run, isRoot: true });
    expect(seen).not.toBeNull();
    const s = seen as unknown as { file: string; args: string[]; plan: string; mode: number };
    expect(s.file).toBe('/bin/bash');
    expect(s.args[0]).toBe(script);
    expect(s.args[2]).toBe('apply');
    expect(s.mode).toBe(0o600);
    expect(JSON.parse(s.plan)).toEqual(plan());
    expect(r).toMatchObject({ ok: true, elevation: 'root', added: [{ handle: 9, family: 'inet', table: 'filter', chain: 'output' }], removed: [{ handle: 4 }] });
  });

  it('goes through pkexec when not root, and reports a missing pkexec', async () => {
    let argv: string[] = [];
    const r = await applyLinuxPlan(plan(), 'undo', {
      isRoot: false,
      run: async (file, args) => {
        argv = [file, ...args];
        return { ok: false, missing: true, code: null, stdout: '', stderr: '' };
      },
    });
    expect(argv.slice(0, 3)).toEqual(['pkexec', '/bin/bash', script]);
    expect(argv[4]).toBe('undo');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/pkexec is not installed/);
  });

  it('refuses a tampered plan object before writing anything', async () => {
    const p = plan();
    p.rules[0]!.daddr[0] = '203.0.113.0/24; nft flush ruleset';
    let called = false;
    await expect(applyLinuxPlan(p, 'apply', { run: async () => ((called = true), { ok: true, missing: false, code: 0, stdout: '', stderr: '' }) })).rejects.toThrowError(FirewallInputError);
    expect(called).toBe(false);
  });

  it('parses only well-formed change lines', () => {
    expect(parseApplyOutput('added 5 inet filter output\nadded x inet filter output\nremoved 7 ip t c\nnoise')).toEqual({
      added: [{ handle: 5, family: 'inet', table: 'filter', chain: 'output' }],
      removed: [{ handle: 7, family: 'ip', table: 't', chain: 'c' }],
    });
  });
});

const jq = { name: 'jq', present: () => hasCommand('jq'), install: 'apt-get install jq' };
const unshare = { name: 'unshare (util-linux)', present: () => hasCommand('unshare') };

describe.skipIf(missingPrereqs('apply-linux.sh validation in a throwaway netns', [prereqs.root, prereqs.nft, jq, unshare]))('apply-linux.sh refuses hostile plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pathcheck-fw-apply-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const SETUP = [
    'nft add table inet filter',
    "nft add chain inet filter output '{ type filter hook output priority 0; policy accept; }'",
    'nft add rule inet filter output udp dport 3478 drop',
  ].join('\n');
  /** Runs the script in a fresh netns; returns its exit code, stderr and the ruleset afterwards. */
  const runScript = (planText: string, action = 'apply', mode = 0o600): { code: number | null; stderr: string; ruleset: string } => {
    const f = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, planText);
    chmodSync(f, mode);
    const r = spawnSync('unshare', ['-n', 'sh', '-c', `${SETUP}\nbash "$1" "$2" "$3"; rc=$?; nft list ruleset; exit $rc`, 'sh', script, f, action], { encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr, ruleset: r.stdout };
  };

  it('a valid plan applies (control case)', () => {
    const r = runScript(JSON.stringify(plan()));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.ruleset.match(/comment "pathcheck"/g)).toHaveLength(2);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- hostile plans deliberately break the type
  type Loose = any;
  const mutate = (f: (p: Loose) => void): string => {
    const p: Loose = structuredClone(plan());
    f(p);
    return JSON.stringify(p);
  };
  const HOSTILE: Array<[string, string]> = [
    ['address with ;', mutate((p) => (p.rules[0].daddr[0] = '203.0.113.0/24; flush ruleset'))],
    ['address with newline', mutate((p) => (p.rules[0].daddr[0] = '203.0.113.0/24\n198.51.100.0/24'))],
    ['address with $()', mutate((p) => (p.rules[0].daddr[0] = '$(reboot)'))],
    ['fullwidth digits', mutate((p) => (p.rules[0].daddr[0] = '２03.0.113.0/24'))],
    ['bad octet', mutate((p) => (p.rules[0].daddr[0] = '203.0.113.256'))],
    ['v6 in a v4 rule', mutate((p) => (p.rules[0].daddr[0] = '2001:db8::/32'))],
    ['fractional port', mutate((p) => (p.rules[0].ports[0] = [3478.5, 3479]))],
    ['string port', mutate((p) => (p.rules[0].ports[0] = ['3478', '3478']))],
    ['port 0', mutate((p) => (p.rules[0].ports[0] = [0, 10]))],
    ['reversed range', mutate((p) => (p.rules[0].ports[0] = [60000, 10000]))],
    ['table with ;', mutate((p) => (p.chain.table = 'filter;flush'))],
    ['chain with space', mutate((p) => (p.chain.chain = 'output accept'))],
    ['foreign tag', mutate((p) => (p.tag = 'other'))],
    ['protocol', mutate((p) => (p.rules[0].protocol = 'udp accept'))],
    ['not JSON', 'nft flush ruleset'],
  ];
  for (const [name, text] of HOSTILE) {
    it(`refuses: ${name} (exit 2, ruleset untouched)`, () => {
      const r = runScript(text);
      expect(r.code).toBe(2);
      expect(r.ruleset).not.toMatch(/pathcheck/);
      expect(r.ruleset).toMatch(/udp dport 3478 drop/);
    });
  }

  it('refuses a world-writable plan and an unknown action', () => {
    expect(runScript(JSON.stringify(plan()), 'apply', 0o666).code).toBe(2);
    expect(runScript(JSON.stringify(plan()), 'flush').code).toBe(2);
  });
});
