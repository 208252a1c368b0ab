import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FirewallInputError,
  assertNftApplyPlan,
  buildFirewallInput,
  buildNftApplyPlan,
  foreignProduct,
  type NftApplyPlan,
} from '#common/firewall/index';
import { applyLinuxPlan, defaultApplyScriptPath, parseApplyOutput } from '#node/firewall/apply';
import type { Runner } from '#node/firewall/run';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';
import { sampleProfile, sampleReport } from '../../common/firewall/fixtures';

/**
 * The elevated step: apply.ts hands the plan to the fixed script on stdin (never a file a same-user
 * process could swap after consent) and starts the script path itself (root: directly; otherwise
 * `pkexec <script>`, so polkit shows the action's own description, never "/bin/bash"); the script
 * refuses hostile plans before touching nft, with the same grammar as the TypeScript validator.
 */
const plan = (): NftApplyPlan =>
  buildNftApplyPlan(buildFirewallInput(sampleProfile(), sampleReport()), [
    { family: 'inet', table: 'filter', chain: 'output' },
  ]);
const script = defaultApplyScriptPath();

describe('applyLinuxPlan (runner injected)', () => {
  it('runs <script> apply directly when root, with the plan on stdin', async () => {
    let seen: { file: string; args: readonly string[]; input: string | undefined } | null = null;
    const run: Runner = async (file, args, opts) => {
      seen = { file, args, input: opts?.input };
      return {
        ok: true,
        missing: false,
        code: 0,
        stdout: 'removed 4 inet filter output\nadded 9 inet filter output\n',
        stderr: '',
      };
    };
    const r = await applyLinuxPlan(plan(), 'apply', { run, isRoot: true });
    const s = seen as unknown as { file: string; args: string[]; input: string };
    expect(s.file).toBe(script);
    expect(s.args).toEqual(['apply']);
    expect(JSON.parse(s.input)).toEqual(plan());
    expect(r).toMatchObject({
      ok: true,
      elevation: 'root',
      added: [{ handle: 9, family: 'inet', table: 'filter', chain: 'output' }],
      removed: [{ handle: 4 }],
    });
  });

  it('goes through pkexec <script> (never /bin/bash) when not root, and reports a missing pkexec', async () => {
    let argv: string[] = [];
    let input: string | undefined;
    const r = await applyLinuxPlan(plan(), 'undo', {
      isRoot: false,
      run: async (file, args, opts) => {
        argv = [file, ...args];
        input = opts?.input;
        return { ok: false, missing: true, code: null, stdout: '', stderr: '' };
      },
    });
    expect(argv).toEqual(['pkexec', script, 'undo']);
    expect(argv).not.toContain('/bin/bash');
    expect(JSON.parse(input ?? 'null')).toEqual(plan());
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/pkexec is not installed/);
  });

  it('says so when the administrator prompt is cancelled (pkexec 126)', async () => {
    const r = await applyLinuxPlan(plan(), 'apply', {
      isRoot: false,
      run: async () => ({
        ok: false,
        missing: false,
        code: 126,
        stdout: '',
        stderr: 'Error executing command as another user: Not authorized',
      }),
    });
    expect(r.error).toMatch(/cancelled or refused; nothing was changed/);
  });

  it('refuses a tampered plan object before running anything', async () => {
    const p = plan();
    p.rules[0]!.daddr[0] = '203.0.113.0/24; nft flush ruleset';
    let called = false;
    await expect(
      applyLinuxPlan(p, 'apply', {
        run: async () => ((called = true), { ok: true, missing: false, code: 0, stdout: '', stderr: '' }),
      }),
    ).rejects.toThrowError(FirewallInputError);
    const wide = plan();
    wide.rules[0]!.daddr[0] = '0.0.0.0/0';
    await expect(
      applyLinuxPlan(wide, 'apply', {
        run: async () => ((called = true), { ok: true, missing: false, code: 0, stdout: '', stderr: '' }),
      }),
    ).rejects.toThrowError(/every IPv4/);
    const foreign = plan();
    foreign.chains[0] = { family: 'inet', table: 'mullvad', chain: 'output' };
    await expect(
      applyLinuxPlan(foreign, 'apply', {
        run: async () => ((called = true), { ok: true, missing: false, code: 0, stdout: '', stderr: '' }),
      }),
    ).rejects.toThrowError(/Mullvad VPN/);
    expect(called).toBe(false);
  });

  it('parses only well-formed change lines', () => {
    expect(parseApplyOutput('added 5 inet filter output\nadded x inet filter output\nremoved 7 ip t c\nnoise')).toEqual(
      {
        added: [{ handle: 5, family: 'inet', table: 'filter', chain: 'output' }],
        removed: [{ handle: 7, family: 'ip', table: 't', chain: 'c' }],
      },
    );
  });
});

const jq = { name: 'jq', present: () => hasCommand('jq'), install: 'apt-get install jq' };
const unshare = { name: 'unshare (util-linux)', present: () => hasCommand('unshare') };

describe.skipIf(
  missingPrereqs('apply-linux.sh validation in a throwaway netns', [prereqs.root, prereqs.nft, jq, unshare]),
)('apply-linux.sh refuses hostile plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pathcheck-fw-apply-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const SETUP = [
    'nft add table inet filter',
    "nft add chain inet filter output '{ type filter hook output priority 0; policy accept; }'",
    'nft add rule inet filter output udp dport 3478 drop',
  ].join('\n');
  /** Runs the script in a fresh netns with the plan on stdin; returns its exit code, stderr and the ruleset afterwards. */
  const runScript = (
    planText: string,
    action = 'apply',
    extraSetup = '',
  ): { code: number | null; stderr: string; stdout: string; ruleset: string } => {
    const f = join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, planText);
    const r = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        `${SETUP}\n${extraSetup}\n"$1" "$2" < "$3" > "$4"; rc=$?; nft list ruleset; exit $rc`,
        'sh',
        script,
        action,
        f,
        `${f}.out`,
      ],
      { encoding: 'utf8' },
    );
    return { code: r.status, stderr: r.stderr, stdout: readFileSync(`${f}.out`, 'utf8'), ruleset: r.stdout };
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
    ['table with ;', mutate((p) => (p.chains[0].table = 'filter;flush'))],
    ['chain with space', mutate((p) => (p.chains[0].chain = 'output accept'))],
    ["another product's table", mutate((p) => (p.chains[0].table = 'mullvad'))],
    ['0.0.0.0/0', mutate((p) => (p.rules[0].daddr[0] = '0.0.0.0/0'))],
    ['::/0', mutate((p) => (p.rules[1].daddr[0] = '::/0'))],
    ['::::::::', mutate((p) => (p.rules[1].daddr[0] = '::::::::'))],
    ['no chains and no discovery', mutate((p) => (p.chains = []))],
    ['version 1 plan', mutate((p) => (p.version = 1))],
    [
      'a newline inside a handle location',
      mutate((p) => (p.remove = [{ family: 'inet', table: 'filter\ninet', chain: 'output', handle: 1 }])),
    ],
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

  it('refuses an unknown action, a plan file argument (the plan comes only on stdin) and a plan over 1 MiB', () => {
    expect(runScript(JSON.stringify(plan()), 'flush').code).toBe(2);
    const f = join(dir, 'as-file.json');
    writeFileSync(f, JSON.stringify(plan()));
    expect(spawnSync(script, [f, 'apply'], { input: '', encoding: 'utf8' }).status).toBe(2);
    const big = runScript(JSON.stringify({ ...plan(), pad: 'x'.repeat(1_100_000) }));
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/larger than 1 MiB/);
  });

  it("writes only into the plan's chains, never into another table that also filters output", () => {
    const other =
      "nft add table ip corp\nnft add chain ip corp egress '{ type filter hook output priority 10; policy accept; }'\nnft add rule ip corp egress udp dport 3478 drop";
    const r = runScript(JSON.stringify(plan()), 'apply', other);
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(2).join(' ')),
    ).toEqual(['inet filter output', 'inet filter output']);
  });

  it("discovery skips another product's table (a VPN kill switch) and says so", () => {
    const vpn =
      "nft add table inet mullvad\nnft add chain inet mullvad output '{ type filter hook output priority 0; policy drop; }'";
    const r = runScript(JSON.stringify({ ...plan(), chains: [], discover: true }), 'apply', vpn);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/inet mullvad output drops outbound traffic but belongs to another product; left alone/);
    expect(r.ruleset).toMatch(/table inet mullvad \{\n\s+chain output \{\n[^}]*policy drop;\n\s+\}/);
    expect(r.stdout).toMatch(/^added \d+ inet filter output$/m);
    expect(r.stdout).not.toMatch(/mullvad/);
  });

  it('undo removes only the listed handles, and only if they are Pathcheck rules', () => {
    // A rule someone else tagged "pathcheck" in the same chain, and a listed handle of a non-Pathcheck rule.
    const setup = 'nft add rule inet filter output tcp dport 9 accept comment pathcheck';
    const r = runScript(
      JSON.stringify({ ...plan(), remove: [{ family: 'inet', table: 'filter', chain: 'output', handle: 2 }] }),
      'undo',
      setup,
    );
    expect(r.code, r.stderr).toBe(0);
    // handle 2 is the drop rule (not tagged): left alone; the other tagged rule was not listed: left alone.
    expect(r.stderr).toMatch(/not a Pathcheck rule/);
    expect(r.ruleset).toMatch(/udp dport 3478 drop/);
    expect(r.ruleset).toMatch(/tcp dport 9 accept comment "pathcheck"/);
  });
});

describe.skipIf(missingPrereqs('apply-linux.sh check', [jq]))(
  'one grammar: the script and TypeScript agree on every plan value',
  () => {
    /** Addresses at the edges of both grammars (the script once refused the first and accepted the last). */
    const EDGE = [
      '::ffff:1.2.3.4/128',
      '::ffff:1.2.3.4',
      '::::::::',
      '2001:db8::1',
      '2001:db8::/32',
      '::1',
      '::',
      '1::',
      '::1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7::',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':1::2',
      '1::2:',
      '12345::1',
      'g::1',
      '::ffff:1.2.3.04',
      '::ffff:256.1.1.1',
      '1.2.3.4::',
      '::1.2.3.4',
      '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7:1.2.3.4',
      '2001:db8::/15',
      '2001:db8::/16',
      '2001:db8::/129',
      '2001:db8::/016',
      '2001:db8::/',
      '2001:db8::1/64/1',
      'fe80::1%eth0',
      '[::1]',
      '2001:DB8::A',
      '0:0:0:0:0:0:0:0',
      '::0:0:0:0:0:0:0',
      '1:2:3:4:5:6:7:8/128',
      '10.0.0.0/8',
      '10.0.0.0/7',
      '0.0.0.0/0',
      '1.2.3.4',
      '1.2.3.4/32',
      '1.2.3.4/33',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4.5',
      '1..3.4',
      '.1.2.3',
      '255.255.255.255',
      '256.1.1.1',
      '1.2.3.4/',
      '1.2.3.4/08',
    ];
    const seen = new Map<string, boolean>();
    const scriptAccepts = (fam: 4 | 6, a: string): boolean => {
      const key = `${fam} ${a}`;
      const known = seen.get(key);
      if (known !== undefined) return known;
      const p = {
        version: 2,
        tag: 'pathcheck',
        chains: [{ family: 'inet', table: 'filter', chain: 'output' }],
        discover: false,
        rules: [{ family: fam, protocol: 'udp', daddr: [a], ports: [[3478, 3478]] }],
      };
      const r = spawnSync(script, ['check'], { input: JSON.stringify(p), encoding: 'utf8' });
      if (r.status !== 0 && r.status !== 2) throw new Error(`check exited ${r.status}: ${r.stderr}`);
      seen.set(key, r.status === 0);
      return r.status === 0;
    };
    const tsAccepts = (fam: 4 | 6, a: string): boolean => {
      const p = plan();
      p.rules = [{ family: fam, protocol: 'udp', daddr: [a], ports: [[3478, 3478]] }];
      try {
        assertNftApplyPlan(p);
        return true;
      } catch (e) {
        if (e instanceof FirewallInputError) return false;
        throw e;
      }
    };

    it('accepts and refuses the same addresses (IPv4 and IPv6 rules)', () => {
      const disagree: string[] = [];
      for (const a of EDGE)
        for (const fam of [4, 6] as const)
          if (scriptAccepts(fam, a) !== tsAccepts(fam, a))
            disagree.push(`${fam} ${a}: script ${scriptAccepts(fam, a)}, ts ${tsAccepts(fam, a)}`);
      expect(disagree).toEqual([]);
      expect(scriptAccepts(6, '::ffff:1.2.3.4/128')).toBe(true);
      expect(scriptAccepts(6, '::::::::')).toBe(false);
    }, 180_000);

    it("names the same tables as another product's", () => {
      const text = readFileSync(script, 'utf8');
      const re = new RegExp(/^FOREIGN_RE='([^']+)'$/m.exec(text)![1]!);
      for (const t of [
        'mullvad',
        'MullvadVPN',
        'tailscale',
        'ts-forward',
        'wg-quick-wg0',
        'nordvpn',
        'proton',
        'expressvpn',
        'firewalld',
        'docker',
        'libvirt_network',
        'incus',
        'lxd',
        'filter',
        'pc_fw',
        'corp',
        'hbfw',
        'mytsx',
        'cnix',
      ]) {
        expect(re.test(t.toLowerCase()), t).toBe(foreignProduct(t) !== null);
      }
    });
  },
);
