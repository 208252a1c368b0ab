import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFirewallInput, FirewallInputError, generateRules } from '#common/firewall/index';
import {
  assertPfPlan,
  buildPfPlan,
  decideMac,
  detectMacFirewall,
  macFirewall,
  macScriptArgv,
  MAC_ADMIN_APPLESCRIPT,
  outboundFilters,
  parsePfRules,
  parseSystemExtensions,
  pfPlanText,
  PF_ANCHOR,
  type MacDetection,
  type PfApplyPlan,
} from '#node/firewall/macos/index';
import { MAX_ADDRESSES, MAX_PORT_RANGES, MAX_RULES, failedTraffic } from '#node/firewall/platform';
import type { Runner } from '#node/firewall/run';
import { sampleProfile, sampleReport } from '../../common/firewall/fixtures';

const here = dirname(fileURLToPath(import.meta.url));
const sample = (name: string) => readFileSync(join(here, 'samples', name), 'utf8');
const SCRIPT = resolve(here, '../../../../resources/firewall/apply-macos.sh');

const localInput = () => {
  const report = sampleReport();
  for (const b of report.firewall.blocked) b.layer = 'local';
  report.firewall.layer = 'local';
  return buildFirewallInput(sampleProfile(), report, { layers: ['local'] });
};
const ok = (stdout: string) => ({ ok: true, missing: false, code: 0, stdout, stderr: '' });

describe('macOS read-outs (samples in the real formats)', () => {
  it('pfctl -s rules: the stock ruleset loads com.apple/* and blocks nothing', () => {
    expect(parsePfRules(sample('pfctl-rules-default.txt'))).toEqual({ appleAnchor: true, outboundBlocks: [] });
  });

  it('pfctl -s rules: outbound block rules, their ports, quick, and their place relative to the anchor', () => {
    const p = parsePfRules(sample('pfctl-rules-blocking.txt'));
    expect(p.appleAnchor).toBe(true);
    // The inbound SSH block is not outbound; pass rules are not blocks.
    expect(p.outboundBlocks.map((b) => [b.protocol, b.ports, b.quick, b.beforeAppleAnchor])).toEqual([
      ['udp', [[10000, 60000]], false, false],
      ['udp', [[3478, 3478]], true, false],
    ]);
    expect(parsePfRules(sample('pfctl-rules-quick-first.txt')).outboundBlocks).toMatchObject([
      { quick: true, beforeAppleAnchor: true, text: 'block drop out quick proto udp from any to any port = 3478' },
    ]);
    expect(parsePfRules('block drop all\n')).toMatchObject({
      appleAnchor: false,
      outboundBlocks: [{ protocol: 'any', ports: null }],
    });
  });

  it('systemextensionsctl list: running outbound filters (Little Snitch, LuLu), not uninstalled or driver extensions', () => {
    const exts = parseSystemExtensions(sample('systemextensionsctl-filters.txt'));
    expect(exts).toHaveLength(3);
    expect(exts[0]).toEqual({
      enabled: true,
      active: true,
      teamId: 'MLZF7K7B5R',
      bundleId: 'at.obdev.littlesnitch.networkextension',
      name: 'Little Snitch Network Extension',
      state: 'activated enabled',
      category: 'com.apple.system_extension.network_extension',
    });
    expect(outboundFilters(exts)).toEqual([
      {
        product: 'Little Snitch',
        name: 'Little Snitch Network Extension',
        bundleId: 'at.obdev.littlesnitch.networkextension',
      },
      { product: 'LuLu', name: 'LuLu', bundleId: 'com.objective-see.lulu.extension' },
    ]);
    expect(outboundFilters(parseSystemExtensions(sample('systemextensionsctl-none.txt')))).toEqual([]);
  });

  it('detection runs fixed read-only commands by absolute path', async () => {
    const seen: string[][] = [];
    const answers: Record<string, string> = {
      '/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate': sample('socketfilterfw-on.txt'),
      '/sbin/pfctl -s info': sample('pfctl-info-enabled.txt'),
      '/sbin/pfctl -s rules': sample('pfctl-rules-blocking.txt'),
      '/usr/bin/systemextensionsctl list': sample('systemextensionsctl-none.txt'),
    };
    const run: Runner = async (file, args) => {
      seen.push([file, ...args]);
      const a = answers[[file, ...args].join(' ')];
      if (a === undefined) throw new Error(`unexpected ${file} ${args.join(' ')}`);
      return ok(a);
    };
    const d = await detectMacFirewall(run, 1000);
    expect(seen.map((a) => a.join(' '))).toEqual(Object.keys(answers));
    expect(d.macos).toMatchObject({ pfEnabled: true, filters: [] });
    expect(d.dropChains[0]!.drops).toHaveLength(2);
  });
});

const det = (macos: MacDetection['macos']): MacDetection => ({
  platform: 'darwin',
  engines: [],
  outboundDefault: 'unknown',
  localRulesAllowed: true,
  dropChains: [],
  notes: [],
  macos,
});

describe('macOS decision', () => {
  const input = localInput();
  const failed = failedTraffic(input);

  it('pf enabled, a non-quick block after the anchor: apply in the com.apple anchor', () => {
    const d = decideMac(
      input,
      det({ pfEnabled: true, ruleset: parsePfRules(sample('pfctl-rules-blocking.txt')), filters: [] }),
      failed,
    );
    expect(d.refusal).toBeNull();
    expect(d.plan).toEqual(buildPfPlan(input));
  });

  it('pf not readable without root: the plan is offered and the elevated script checks pf itself', () => {
    expect(decideMac(input, det({ pfEnabled: null, ruleset: null, filters: [] }), failed).plan).not.toBeNull();
  });

  it('Little Snitch / LuLu: no apply, says exactly what to allow in each', () => {
    const filters = outboundFilters(parseSystemExtensions(sample('systemextensionsctl-filters.txt')));
    const d = decideMac(input, det({ pfEnabled: null, ruleset: null, filters }), failed);
    expect(d.plan).toBeNull();
    expect(d.refusal).toContain(
      'in Little Snitch, allow outgoing connections from Pathcheck (and the app you call with) for UDP 3478, 10000-60000 to 203.0.113.0/24, 198.51.100.128/25, 2001:db8:40::/48',
    );
    expect(d.refusal).toContain("in LuLu's rules, allow Pathcheck");
  });

  it('a quick block before the anchor: no apply, names the rule', () => {
    const d = decideMac(
      input,
      det({ pfEnabled: true, ruleset: parsePfRules(sample('pfctl-rules-quick-first.txt')), filters: [] }),
      failed,
    );
    expect(d.plan).toBeNull();
    expect(d.refusal).toContain('"block drop out quick proto udp from any to any port = 3478"');
  });

  it('pf disabled, anchor not loaded, or nothing in pf blocks: no apply', () => {
    expect(decideMac(input, det({ pfEnabled: false, ruleset: null, filters: [] }), failed).refusal).toMatch(
      /^pf is disabled/,
    );
    expect(
      decideMac(input, det({ pfEnabled: true, ruleset: parsePfRules('block drop out all\n'), filters: [] }), failed)
        .refusal,
    ).toMatch(/does not load anchor "com\.apple\/\*"/);
    expect(
      decideMac(
        input,
        det({ pfEnabled: true, ruleset: parsePfRules(sample('pfctl-rules-default.txt')), filters: [] }),
        failed,
      ).refusal,
    ).toMatch(/No pf rule blocks/);
  });
});

describe('macOS plan and argv (golden)', () => {
  it('plans one rule per family in the anchor com.apple/250.Pathcheck', () => {
    const plan = buildPfPlan(localInput());
    expect(plan).toEqual({
      version: 1,
      anchor: 'com.apple/250.Pathcheck',
      rules: [
        {
          family: 4,
          protocol: 'udp',
          daddr: ['203.0.113.0/24', '198.51.100.128/25'],
          ports: [
            [3478, 3478],
            [10000, 60000],
          ],
        },
        {
          family: 6,
          protocol: 'udp',
          daddr: ['2001:db8:40::/48'],
          ports: [
            [3478, 3478],
            [10000, 60000],
          ],
        },
      ],
    });
    expect(pfPlanText(plan)).toBe(
      'pathcheck-pf-plan 1\nanchor com.apple/250.Pathcheck\n' +
        'rule udp 4 3478:3478,10000:60000 203.0.113.0/24,198.51.100.128/25\n' +
        'rule udp 6 3478:3478,10000:60000 2001:db8:40::/48\nend\n',
    );
  });

  it('the admin prompt is a fixed AppleScript; the script path, action and plan path are argv items it quotes', () => {
    expect(
      macScriptArgv(
        '/Applications/Pathcheck.app/Contents/Resources/firewall/apply-macos.sh',
        'apply',
        '/tmp/x/plan.txt',
      ),
    ).toEqual([
      '-e',
      'on run argv',
      '-e',
      'do shell script "PATH=/usr/bin:/bin:/usr/sbin:/sbin /bin/sh " & quoted form of item 1 of argv & " " & quoted form of item 2 of argv & " " & quoted form of item 3 of argv with prompt "Pathcheck wants to change the pf firewall rules in its own anchor." with administrator privileges',
      '-e',
      'end run',
      '/Applications/Pathcheck.app/Contents/Resources/firewall/apply-macos.sh',
      'apply',
      '/tmp/x/plan.txt',
    ]);
    for (const line of MAC_ADMIN_APPLESCRIPT) expect(line).not.toMatch(/\$\{|apply-macos|plan\.txt/);
  });
});

describe('macOS plan validation with hostile plans (TypeScript side)', () => {
  const good = (): PfApplyPlan => {
    const p = buildPfPlan(localInput());
    p.rules.push({ family: 0, protocol: 'tcp', daddr: [], ports: [[443, 443]] });
    return p;
  };
  it.each([
    [
      'anchor: another anchor',
      (p: PfApplyPlan) => {
        (p as { anchor: string }).anchor = 'com.apple/200.Other';
      },
      'plan.anchor',
    ],
    [
      'anchor: pf syntax',
      (p: PfApplyPlan) => {
        (p as { anchor: string }).anchor = 'com.apple/250.Pathcheck"\nblock all';
      },
      'plan.anchor',
    ],
    [
      'daddr: pf syntax',
      (p: PfApplyPlan) => {
        p.rules[0]!.daddr[0] = '203.0.113.0/24 } port 22 {';
      },
      'plan.rules[0].daddr[0]',
    ],
    [
      'daddr: newline',
      (p: PfApplyPlan) => {
        p.rules[0]!.daddr[0] = '203.0.113.0/24\nrule tcp 0 1:65535 any';
      },
      'plan.rules[0].daddr[0]',
    ],
    [
      'daddr: v6 in a v4 rule',
      (p: PfApplyPlan) => {
        p.rules[0]!.daddr[0] = '2001:db8::1';
      },
      'plan.rules[0].daddr[0]',
    ],
    [
      'daddr: embedded v4 in v6',
      (p: PfApplyPlan) => {
        p.rules[1]!.daddr[0] = '::ffff:192.0.2.1';
      },
      'plan.rules[1].daddr[0]',
    ],
    [
      'daddr: on family 0',
      (p: PfApplyPlan) => {
        p.rules[2]!.daddr = ['192.0.2.1'];
      },
      'plan.rules[2].daddr',
    ],
    [
      'daddr: too many',
      (p: PfApplyPlan) => {
        p.rules[0]!.daddr = Array(MAX_ADDRESSES + 1).fill('192.0.2.1');
      },
      'plan.rules[0].daddr',
    ],
    [
      'family: string',
      (p: PfApplyPlan) => {
        (p.rules[0] as { family: unknown }).family = '4';
      },
      'plan.rules[0].family',
    ],
    [
      'protocol: icmp',
      (p: PfApplyPlan) => {
        (p.rules[0] as { protocol: string }).protocol = 'icmp';
      },
      'plan.rules[0].protocol',
    ],
    [
      'ports: string',
      (p: PfApplyPlan) => {
        (p.rules[0]!.ports as unknown[])[0] = '3478:3478';
      },
      'plan.rules[0].ports[0]',
    ],
    [
      'ports: 65536',
      (p: PfApplyPlan) => {
        p.rules[0]!.ports[0] = [1, 65536];
      },
      'plan.rules[0].ports[0]',
    ],
    [
      'ports: too many',
      (p: PfApplyPlan) => {
        p.rules[0]!.ports = Array(MAX_PORT_RANGES + 1).fill([1, 1]);
      },
      'plan.rules[0].ports',
    ],
    [
      'rules: too many',
      (p: PfApplyPlan) => {
        p.rules = Array(MAX_RULES + 1).fill(p.rules[2]);
      },
      'plan.rules',
    ],
    [
      'extra field',
      (p: PfApplyPlan) => {
        (p.rules[0] as Record<string, unknown>).action = 'block';
      },
      'plan.rules[0].action',
    ],
  ])('refuses %s', (_label, mutate, field) => {
    const p = structuredClone(good());
    mutate(p);
    expect(() => assertPfPlan(p)).toThrowError(FirewallInputError);
    expect(() => assertPfPlan(p)).toThrowError(field);
  });
});

/**
 * apply-macos.sh itself, run here with /bin/sh (dash) and bash against a fake `pfctl` first on PATH
 * that records its argv and the rules file it is given. pf's own behaviour is not tested (no Mac).
 */
const shells = ['/bin/sh', '/bin/bash'].filter((s) => existsSync(s));
const work = mkdtempSync(join(tmpdir(), 'pathcheck-pf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fakePfctl(
  dir: string,
  { status = 'Enabled', rules = sample('pfctl-rules-default.txt'), loadFails = false } = {},
): string {
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(dir, 'rules.txt'), rules);
  writeFileSync(
    join(bin, 'pfctl'),
    [
      '#!/bin/sh',
      `log=${dir}/argv.log`,
      'printf "%s\\n" "$*" >>"$log"',
      `if [ "$1" = -s ] && [ "$2" = info ]; then echo "Status: ${status} for 0 days 00:01:00           Debug: Urgent"; exit 0; fi`,
      `if [ "$1" = -s ] && [ "$2" = rules ]; then cat ${dir}/rules.txt; exit 0; fi`,
      `if [ "$1" = -a ] && [ "$3" = -f ]; then cp "$4" ${dir}/loaded.conf; ${loadFails ? 'exit 1' : 'exit 0'}; fi`,
      'if [ "$1" = -a ] && [ "$3" = -F ]; then exit 0; fi',
      'if [ "$1" = -a ] && [ "$3" = -s ]; then printf "pass out quick inet proto udp from any to <x> port = 3478 keep state\\npass out quick proto tcp from any to any port = 443 keep state\\n"; exit 0; fi',
      'exit 9',
    ].join('\n'),
  );
  chmodSync(join(bin, 'pfctl'), 0o755);
  return bin;
}

let n = 0;
function runScript(shell: string, planText: string | null, action = 'apply', pf: Parameters<typeof fakePfctl>[1] = {}) {
  const dir = join(work, `case-${n++}`);
  const bin = fakePfctl(dir, pf);
  const planFile = join(dir, 'plan.txt');
  if (planText !== null) writeFileSync(planFile, planText, { mode: 0o600 });
  const r = spawnSync(shell, [SCRIPT, action, planFile], {
    env: { PATH: `${bin}:/usr/bin:/bin`, TMPDIR: dir },
    encoding: 'utf8',
  });
  const log = existsSync(join(dir, 'argv.log')) ? readFileSync(join(dir, 'argv.log'), 'utf8').trim().split('\n') : [];
  const loaded = existsSync(join(dir, 'loaded.conf')) ? readFileSync(join(dir, 'loaded.conf'), 'utf8') : null;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, pfctl: log, loaded, dir };
}

const GOOD = pfPlanText({
  version: 1,
  anchor: PF_ANCHOR,
  rules: [
    {
      family: 4,
      protocol: 'udp',
      daddr: ['203.0.113.0/24', '198.51.100.128/25'],
      ports: [
        [3478, 3478],
        [10000, 60000],
      ],
    },
    { family: 6, protocol: 'udp', daddr: ['2001:db8:40::/48', '::1'], ports: [[3478, 3478]] },
    { family: 0, protocol: 'tcp', daddr: [], ports: [[443, 443]] },
  ],
});

describe.each(shells)('apply-macos.sh under %s with a fake pfctl', (shell) => {
  it('loads exactly the pass rules into com.apple/250.Pathcheck', () => {
    const r = runScript(shell, GOOD);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('loaded 3\n');
    expect(r.pfctl).toEqual([
      '-s info',
      '-s rules',
      `-a com.apple/250.Pathcheck -f ${r.dir}/pathcheck-pf.${r.pfctl[2]!.split('pathcheck-pf.')[1]}`,
    ]);
    expect(r.loaded).toBe(
      'pass out quick inet proto udp from any to { 203.0.113.0/24 198.51.100.128/25 } port { 3478 10000:60000 } keep state\n' +
        'pass out quick inet6 proto udp from any to { 2001:db8:40::/48 ::1 } port { 3478 } keep state\n' +
        'pass out quick proto tcp from any to any port { 443 } keep state\n',
    );
    // The private rules file is removed afterwards.
    expect(existsSync(r.pfctl[2]!.split(' -f ')[1]!)).toBe(false);
  });

  it('undo flushes that anchor only', () => {
    const r = runScript(shell, null, 'undo');
    expect([r.code, r.stdout, r.pfctl]).toEqual([
      0,
      'flushed 2\n',
      ['-a com.apple/250.Pathcheck -s rules', '-a com.apple/250.Pathcheck -F all'],
    ]);
  });

  it('refuses to load when pf is disabled, the anchor is not evaluated, or a quick block comes first', () => {
    expect(runScript(shell, GOOD, 'apply', { status: 'Disabled' })).toMatchObject({ code: 3, loaded: null });
    expect(runScript(shell, GOOD, 'apply', { rules: 'block drop out all\n' })).toMatchObject({
      code: 3,
      loaded: null,
      stderr: expect.stringContaining('does not evaluate anchor'),
    });
    const q = runScript(shell, GOOD, 'apply', { rules: sample('pfctl-rules-quick-first.txt') });
    expect(q).toMatchObject({ code: 3, loaded: null });
    expect(q.stderr).toContain('"block drop out quick proto udp from any to any port = 3478"');
    // An inbound quick block before the anchor does not stop an outbound pass.
    expect(runScript(shell, GOOD, 'apply', { rules: sample('pfctl-rules-blocking.txt') }).code).toBe(0);
  });

  it('flushes the anchor when pfctl refuses the rules', () => {
    const r = runScript(shell, GOOD, 'apply', { loadFails: true });
    expect(r.code).toBe(4);
    expect(r.pfctl.at(-1)).toBe('-a com.apple/250.Pathcheck -F all');
  });

  const hostile: Array<[string, string, RegExp]> = [
    [
      'shell in an address',
      GOOD.replace('203.0.113.0/24', '203.0.113.0/24;touch${IFS}/tmp/pwned'),
      /rules\[0\]\.daddr/,
    ],
    ['command substitution', GOOD.replace('198.51.100.128/25', '$(id)'), /rules\[0\]\.daddr/],
    ['pf syntax in an address', GOOD.replace('198.51.100.128/25', '198.51.100.128/25}'), /rules\[0\]\.daddr/],
    ['glob in an address', GOOD.replace('198.51.100.128/25', '*'), /rules\[0\]\.daddr/],
    ['v4 octet 256', GOOD.replace('203.0.113.0/24', '203.0.113.256/24'), /rules\[0\]\.daddr/],
    ['v4 prefix 33', GOOD.replace('203.0.113.0/24', '203.0.113.0/33'), /rules\[0\]\.daddr/],
    ['v4 leading zero', GOOD.replace('203.0.113.0/24', '203.0.113.01'), /rules\[0\]\.daddr/],
    ['v6 two ::', GOOD.replace('2001:db8:40::/48', '2001::db8::1'), /rules\[1\]\.daddr/],
    ['v6 in a v4 rule', GOOD.replace('203.0.113.0/24', '2001:db8::1'), /rules\[0\]\.daddr/],
    ['any for a family-4 rule', GOOD.replace('203.0.113.0/24,198.51.100.128/25', 'any'), /rules\[0\]\.daddr/],
    ['address on a family-0 rule', GOOD.replace('443:443 any', '443:443 192.0.2.1'), /rules\[2\]\.daddr/],
    ['port 0', GOOD.replace('3478:3478,10000', '0:3478,10000'), /rules\[0\]\.ports/],
    ['port 65536', GOOD.replace('10000:60000', '10000:65536'), /rules\[0\]\.ports/],
    ['port reversed', GOOD.replace('10000:60000', '60000:10000'), /rules\[0\]\.ports/],
    ['port not a range', GOOD.replace('10000:60000', '10000'), /rules\[0\]\.ports/],
    ['port with shell', GOOD.replace('10000:60000', '10000:60000`id`'), /rules\[0\]\.ports/],
    ['protocol', GOOD.replace('rule udp 4', 'rule icmp 4'), /rules\[0\]\.protocol/],
    ['family', GOOD.replace('rule udp 4', 'rule udp 5'), /rules\[0\]\.family/],
    [
      'another anchor',
      GOOD.replace('anchor com.apple/250.Pathcheck', 'anchor com.apple/100.Evil'),
      /line 2 \(anchor\)/,
    ],
    ['wrong header', GOOD.replace('pathcheck-pf-plan 1', 'pathcheck-pf-plan 2'), /line 1/],
    ['extra token', GOOD.replace('443:443 any', '443:443 any block'), /line 5/],
    ['tab instead of space', GOOD.replace('rule tcp 0', 'rule\ttcp 0'), /printable ASCII/],
    ['NUL byte', GOOD.replace('rule tcp', 'rule\0tcp'), /printable ASCII/],
    ['non-ASCII digit', GOOD.replace('443:443', '443:４43'), /printable ASCII/],
    ['cut short (no end)', GOOD.replace('end\n', ''), /does not end/],
    ['line after end', `${GOOD}rule tcp 0 22:22 any\n`, /comes after end/],
    ['no rule', 'pathcheck-pf-plan 1\nanchor com.apple/250.Pathcheck\nend\n', /holds no rule/],
    [
      'too many rules',
      GOOD.replace('end\n', `${'rule tcp 0 443:443 any\n'.repeat(MAX_RULES)}end\n`),
      /more than 64 rules/,
    ],
    [
      'too many ports',
      GOOD.replace(
        '443:443 any',
        `${Array(MAX_PORT_RANGES + 1)
          .fill('1:1')
          .join(',')} any`,
      ),
      /rules\[2\]\.ports/,
    ],
    [
      'too many addresses',
      GOOD.replace(
        '203.0.113.0/24,198.51.100.128/25',
        Array(MAX_ADDRESSES + 1)
          .fill('192.0.2.1')
          .join(','),
      ),
      /rules\[0\]\.daddr/,
    ],
    ['oversize', `${GOOD}${'#'.repeat(70_000)}`, /larger than 65536 bytes/],
  ];
  it.each(hostile)('refuses %s before pfctl is ever called', (_label, text, message) => {
    const r = runScript(shell, text);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.pfctl).toEqual([]);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('refuses a missing plan, a bad action and extra arguments', () => {
    expect(runScript(shell, null, 'apply')).toMatchObject({ code: 2, pfctl: [] });
    expect(runScript(shell, GOOD, 'flush')).toMatchObject({ code: 2, pfctl: [] });
    const r = spawnSync(shell, [SCRIPT, 'undo', '/dev/null', 'extra'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});

describe('the TypeScript plan text always passes the script (they agree)', () => {
  it.each(shells)('%s accepts pfPlanText(buildPfPlan(…))', (shell) => {
    const plan = buildPfPlan(localInput());
    assertPfPlan(plan);
    expect(runScript(shell, pfPlanText(plan))).toMatchObject({ code: 0, stdout: 'loaded 2\n' });
  });
});

describe('the rules the Fix dialog shows are the rules the script loads', () => {
  it.each(shells)('%s: generateRules(macos-pf) body equals the loaded anchor file', (shell) => {
    const input = localInput();
    const text = generateRules('macos-pf', input).text;
    const body = text.slice(
      text.indexOf("<<'PATHCHECK_PF'\n") + 17,
      text.indexOf('PATHCHECK_PF\n', text.indexOf("<<'PATHCHECK_PF'\n") + 17),
    );
    expect(text).toContain(`pfctl -a ${PF_ANCHOR} -f -`);
    expect(runScript(shell, pfPlanText(buildPfPlan(input))).loaded).toBe(body);
  });
});

describe('macFirewall.apply / undo through a fake runner', () => {
  it('runs osascript by absolute path with the fixed argv and a 0600 plan file', async () => {
    let seen: { file: string; args: string[]; text: string; mode: number } | null = null;
    const run: Runner = async (file, args) => {
      const planFile = args[args.length - 1]!;
      seen = { file, args: [...args], text: readFileSync(planFile, 'utf8'), mode: statSync(planFile).mode & 0o777 };
      return ok('loaded 2\n');
    };
    const plan = buildPfPlan(localInput());
    const r = await macFirewall.apply(plan, { scriptPath: SCRIPT, run });
    const s = seen as unknown as { file: string; args: string[]; text: string; mode: number };
    expect(s.file).toBe('/usr/bin/osascript');
    expect(s.args.slice(0, 6)).toEqual(MAC_ADMIN_APPLESCRIPT.flatMap((l) => ['-e', l]));
    expect(s.args.slice(6, 8)).toEqual([SCRIPT, 'apply']);
    expect(s.text).toBe(pfPlanText(plan));
    expect(s.mode).toBe(0o600);
    expect(r).toEqual({ ok: true, action: 'apply', changed: 2, elevation: 'admin-prompt', exitCode: 0, error: null });
  });

  it('refuses a tampered plan before osascript runs; a cancelled prompt is said plainly', async () => {
    const plan = buildPfPlan(localInput());
    plan.rules[0]!.ports.push([1, 65535.5] as [number, number]);
    let ran = false;
    await expect(
      macFirewall.apply(plan, { scriptPath: SCRIPT, run: async () => ((ran = true), ok('')) }),
    ).rejects.toThrowError(FirewallInputError);
    expect(ran).toBe(false);
    const r = await macFirewall.undo({
      scriptPath: SCRIPT,
      run: async () => ({
        ok: false,
        missing: false,
        code: 1,
        stdout: '',
        stderr: '0:190: execution error: User canceled. (-128)',
      }),
    });
    expect(r.error).toBe('the administrator prompt was cancelled; nothing was changed');
  });
});
