import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFirewallInput, FirewallInputError, generateRules } from '#common/firewall/index';
import { MAX_ADDRESSES, MAX_PORT_RANGES, MAX_RULES, failedTraffic } from '#node/firewall/platform';
import type { Runner } from '#node/firewall/run';
import {
  assertWindowsPlan,
  blockRuleMatches,
  buildWindowsPlan,
  decideWindows,
  detectWindowsFirewall,
  parseSecurityCenterFirewalls,
  parseWindowsAddress,
  parseWindowsBlockRules,
  parseWindowsScriptOutput,
  windowsFirewall,
  windowsPowerShell,
  windowsScriptArgv,
  WINDOWS_DETECT_COMMAND,
  WINDOWS_RULE_NAME,
  splitWindowsDetect,
  type WindowsApplyPlan,
  type WindowsDetection,
} from '#node/firewall/windows/index';
import { sampleProfile, sampleReport } from '../../common/firewall/fixtures';

const here = dirname(fileURLToPath(import.meta.url));
const sample = (name: string) => readFileSync(join(here, 'samples', name), 'utf8');
const ROOT = resolve(here, '../../../..');
const PS1 = join(ROOT, 'resources/firewall/apply-windows.ps1');

/** The sample diagnosis with both requirements blocked on this computer. */
const localInput = () => {
  const report = sampleReport();
  for (const b of report.firewall.blocked) b.layer = 'local';
  report.firewall.layer = 'local';
  return buildFirewallInput(sampleProfile(), report, { layers: ['local'] });
};

const ok = (stdout: string) => ({ ok: true, missing: false, code: 0, stdout, stderr: '' });

/** A fake PowerShell answering the one fixed detection command with the combined read-out built from samples. */
function fakePowerShell(answers: { profiles: string; rules?: string; products?: string | null }): {
  run: Runner;
  seen: string[][];
} {
  const seen: string[][] = [];
  const list = (text: string | undefined) => {
    const v: unknown = JSON.parse(text?.trim() || '[]');
    return Array.isArray(v) ? v : [v];
  };
  const run: Runner = async (file, args) => {
    seen.push([file, ...args]);
    if (args[args.length - 1] !== WINDOWS_DETECT_COMMAND) throw new Error(`unexpected command ${args.join(' ')}`);
    return ok(
      JSON.stringify({
        profiles: list(answers.profiles),
        blockRules: list(answers.rules),
        products: answers.products === null ? null : list(answers.products),
      }),
    );
  };
  return { run, seen };
}

const blockProfiles = JSON.stringify([
  { Name: 'Domain', Enabled: 'True', DefaultOutboundAction: 'Block', AllowLocalFirewallRules: 'NotConfigured' },
]);

describe('Windows read-outs (samples in the JSON the fixed commands print)', () => {
  it('reads block rules from a German Windows by enum names; display names pass through untouched', () => {
    const rules = parseWindowsBlockRules(sample('windows-block-rules-de.json'));
    // The ICMP rule is dropped: it cannot block UDP/TCP media.
    expect(rules.map((r) => [r.displayName, r.source, r.protocol, r.ports])).toEqual([
      [
        'Medien ausgehend blockieren (UDP 3478)',
        'group-policy',
        'udp',
        [
          [3478, 3478],
          [3479, 3479],
        ],
      ],
      ['Kernnetzwerk - IPHTTPS (TCP ausgehend)', 'local', 'tcp', []],
      ['Labor: Medienbereich sperren', 'local', 'udp', [[10000, 20000]]],
    ]);
    expect(rules[0]!.sourceName).toBe('contoso.local\\Arbeitsplatz-Firewall');
    expect(rules[0]!.addresses).toBeNull();
    expect(rules[2]!.addresses).toHaveLength(2);
  });

  it('reads a single rule (ConvertTo-Json prints an object, not an array) and empty output', () => {
    expect(parseWindowsBlockRules(sample('windows-block-rules-one.json'))).toMatchObject([
      { name: 'Block TURN', protocol: 'any', ports: null },
    ]);
    expect(parseWindowsBlockRules('')).toEqual([]);
    expect(parseWindowsBlockRules('\uFEFF\r\n')).toEqual([]);
  });

  it('reads Windows address forms: mask, prefix, range, keyword', () => {
    expect(parseWindowsAddress('203.0.113.0/255.255.255.0')).toEqual(parseWindowsAddress('203.0.113.0/24'));
    expect(parseWindowsAddress('LocalSubnet')).toBe('any');
    expect(parseWindowsAddress('2001:db8::/32')).toMatchObject({ family: 6 });
    expect(parseWindowsAddress('1.2.3.9-1.2.3.1')).toBeNull();
  });

  it('matches a block rule against the failed traffic by protocol, port overlap and address overlap', () => {
    const [gpo, iphttps, lab] = parseWindowsBlockRules(sample('windows-block-rules-de.json'));
    const turn = {
      protocol: 'udp' as const,
      ports: [[3478, 3478]] as Array<[number, number]>,
      addresses: ['203.0.113.0/24'],
    };
    const media = {
      protocol: 'udp' as const,
      ports: [[10000, 60000]] as Array<[number, number]>,
      addresses: ['203.0.113.0/24', '2001:db8:40::/48'],
    };
    expect([turn, media].map((t) => blockRuleMatches(gpo!, t))).toEqual([true, false]);
    expect([turn, media].some((t) => blockRuleMatches(iphttps!, t))).toBe(false);
    // 10000-20000 to 203.0.113.0/24 overlaps the media range to 203.0.113.0/24; another network does not.
    expect([turn, media].map((t) => blockRuleMatches(lab!, t))).toEqual([false, true]);
    expect(blockRuleMatches(lab!, { ...media, addresses: ['192.0.2.0/24'] })).toBe(false);
    expect(blockRuleMatches(lab!, { ...media, protocol: 'tcp' })).toBe(false);
    expect(failedTraffic(localInput())).toEqual([
      {
        protocol: 'udp',
        ports: [
          [3478, 3478],
          [10000, 60000],
        ],
        addresses: ['203.0.113.0/24', '198.51.100.128/25', '2001:db8:40::/48'],
      },
    ]);
  });

  it('reads Security Center firewall products and their on/off state', () => {
    expect(parseSecurityCenterFirewalls(sample('windows-securitycenter-firewalls.json'))).toEqual([
      { name: 'ESET Firewall', enabled: true, exe: 'C:\\Program Files\\ESET\\ESET Security\\ecmds.exe' },
      { name: 'Old Firewall', enabled: false, exe: 'C:\\Program Files\\Old\\fw.exe' },
    ]);
  });

  it('detection is one fixed command through Windows PowerShell by absolute path, with no double quote in it', async () => {
    const { run, seen } = fakePowerShell({
      profiles: blockProfiles,
      rules: sample('windows-block-rules-de.json'),
      products: null,
    });
    const d = await detectWindowsFirewall(run, 1000, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(seen).toEqual([
      [
        'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        '-NoProfile',
        '-NonInteractive',
        '-Command',
        WINDOWS_DETECT_COMMAND,
      ],
    ]);
    // Windows' command-line quoting would mangle a double quote inside the -Command argument.
    expect(WINDOWS_DETECT_COMMAND).not.toContain('"');
    expect(WINDOWS_DETECT_COMMAND).toMatch(
      /^\$profiles = @\(Get-NetFirewallProfile -PolicyStore ActiveStore .*Get-NetFirewallRule -PolicyStore ActiveStore -Direction Outbound -Action Block -Enabled True .*Get-NetFirewallPortFilter.*Get-NetFirewallAddressFilter.*Get-CimInstance -Namespace root\/SecurityCenter2 -ClassName FirewallProduct .*ConvertTo-Json -Compress -Depth 4$/,
    );
    expect(d.outboundDefault).toBe('drop');
    expect(d.windows.blockRules).toHaveLength(3);
    expect(d.windows.products).toBeNull(); // Windows Server: no SecurityCenter2
    // Three block rules, plus the profile's DefaultOutboundAction Block as a policy drop on every port.
    expect(d.dropChains[0]!.drops!.map((x) => x.verdict)).toEqual(['drop', 'drop', 'drop', 'policy']);
  });

  it('reads a combined read-out as a German Windows prints it', async () => {
    const d = await detectWindowsFirewall(async () => ok(sample('windows-detect-de.json')), 1000);
    expect(d.windows.profiles.map((p) => [p.name, p.outbound])).toEqual([
      ['Domain', 'drop'],
      ['Private', 'allow'],
      ['Public', 'allow'],
    ]);
    expect(d.windows.blockRules.map((r) => r.displayName)).toContain('Medien ausgehend blockieren (UDP 3478)');
    expect(d.windows.products).toEqual([]);
    expect(splitWindowsDetect('{"profiles":[],"blockRules":[],"products":null}')).toEqual({
      profiles: '[]',
      blockRules: '[]',
      products: null,
    });
  });

  it('a read-out that is not JSON or a failed PowerShell: outbound unknown, nothing decided on', async () => {
    for (const r of [
      ok('Get-NetFirewallProfile : Zugriff verweigert'),
      { ok: false, missing: false, code: 1, stdout: '', stderr: 'x' },
    ]) {
      const d = await detectWindowsFirewall(async () => r, 1000);
      expect(d).toMatchObject({
        outboundDefault: 'unknown',
        localRulesAllowed: null,
        windows: { profiles: [], blockRules: [], products: null },
      });
    }
  });

  it('takes PowerShell from SystemRoot only when it looks like a Windows path', () => {
    expect(windowsPowerShell({ SystemRoot: 'D:\\WINDOWS' })).toBe(
      'D:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    );
    expect(windowsPowerShell({ SystemRoot: 'C:\\x" & calc & "' })).toBe(
      'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    );
    expect(windowsPowerShell({ SystemRoot: 'C:\\..\\evil' })).toBe(
      'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    );
  });
});

async function detection(answers: {
  profiles: string;
  rules?: string;
  products?: string | null;
}): Promise<WindowsDetection> {
  return detectWindowsFirewall(fakePowerShell(answers).run, 1000);
}

describe('Windows decision: apply only when allow rules can work', () => {
  const input = localInput();
  const failed = failedTraffic(input);

  it('DefaultOutboundAction Block, local rules allowed, no matching block rule: apply', async () => {
    const d = await decideWindows(
      input,
      await detection({ profiles: blockProfiles, rules: sample('windows-block-rules-one.json') }),
      failed,
    );
    expect(d.refusal).toBeNull();
    expect(d.plan).toEqual(buildWindowsPlan(input));
  });

  it('a matching block rule: no apply, the refusal names the rule and its Group Policy', async () => {
    const d = decideWindows(
      input,
      await detection({ profiles: blockProfiles, rules: sample('windows-block-rules-de.json') }),
      failed,
    );
    expect(d.plan).toBeNull();
    expect(d.refusal).toContain(
      '"Medien ausgehend blockieren (UDP 3478)" ({8C2E1F0A-3B4D-4E5F-9A6B-7C8D9E0F1A2B}, from Group Policy (contoso.local\\Arbeitsplatz-Firewall))',
    );
    expect(d.refusal).toContain('"Labor: Medienbereich sperren"');
    expect(d.refusal).toContain('a block rule wins over any allow rule');
  });

  it('Group Policy forbids local rules: no apply, says so', async () => {
    const d = decideWindows(input, await detection({ profiles: sample('windows-profiles-gpo.json') }), failed);
    expect(d.plan).toBeNull();
    expect(d.refusal).toMatch(
      /Group Policy ignores local firewall rules in the Domain profile \(AllowLocalFirewallRules False\)/,
    );
  });

  it('a third-party firewall in Security Center: no apply, names the product and what to allow', async () => {
    const d = decideWindows(
      input,
      await detection({ profiles: blockProfiles, products: sample('windows-securitycenter-firewalls.json') }),
      failed,
    );
    expect(d.plan).toBeNull();
    expect(d.refusal).toMatch(
      /^"ESET Firewall" is registered as this computer's firewall: allow UDP 3478, 10000-60000 to 203\.0\.113\.0\/24, 198\.51\.100\.128\/25, 2001:db8:40::\/48 in it/,
    );
    expect(d.refusal).not.toContain('Old Firewall');
  });

  it('outbound allowed and nothing matching blocks: no apply (an allow rule would change nothing)', async () => {
    const d = decideWindows(input, await detection({ profiles: sample('windows-profiles-default.json') }), failed);
    expect(d.plan).toBeNull();
    expect(d.refusal).toMatch(/allows outbound traffic here/);
  });
});

describe('Windows plan and argv (golden)', () => {
  it('plans a peer-to-peer range towards any address', () => {
    const report = sampleReport([
      {
        protocol: 'udp',
        ports: [[1024, 65535]],
        to: [],
        purpose: 'Peer media',
        checks: ['udp-range:p2p'],
        layer: 'local',
      },
    ]);
    const input = buildFirewallInput(sampleProfile({ addresses: undefined }), report, { layers: ['local'] });
    expect(buildWindowsPlan(input).rules).toEqual([
      { name: 'pathcheck-udp-1', protocol: 'UDP', anyAddress: true, remoteAddresses: [], remotePorts: [[1024, 65535]] },
    ]);
  });

  it('plans exact ports and addresses in group Pathcheck', () => {
    expect(buildWindowsPlan(localInput())).toEqual({
      version: 1,
      group: 'Pathcheck',
      rules: [
        {
          name: 'pathcheck-udp-1',
          protocol: 'UDP',
          anyAddress: false,
          remoteAddresses: ['203.0.113.0/24', '198.51.100.128/25', '2001:db8:40::/48'],
          remotePorts: [
            [3478, 3478],
            [10000, 60000],
          ],
        },
      ],
    });
  });

  it('starts the fixed script with a fixed argv; data only as paths of files Pathcheck made', () => {
    expect(
      windowsScriptArgv(
        'C:\\Program Files\\Pathcheck\\resources\\firewall\\apply-windows.ps1',
        'apply',
        'C:\\T\\plan.json',
        'C:\\T\\result.txt',
      ),
    ).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-File',
      'C:\\Program Files\\Pathcheck\\resources\\firewall\\apply-windows.ps1',
      '-Action',
      'apply',
      '-Plan',
      'C:\\T\\plan.json',
      '-Result',
      'C:\\T\\result.txt',
    ]);
    expect(windowsScriptArgv('s.ps1', 'undo', null, 'r.txt')).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-File',
      's.ps1',
      '-Action',
      'undo',
      '-Result',
      'r.txt',
    ]);
  });

  it('reads the script output lines', () => {
    expect(
      parseWindowsScriptOutput(
        'removed pathcheck-udp-1\r\nadded pathcheck-udp-1\r\nadded pathcheck-udp-2\r\nadded evil; x\r\n',
      ),
    ).toEqual({ added: ['pathcheck-udp-1', 'pathcheck-udp-2'], removed: ['pathcheck-udp-1'] });
  });
});

describe('the rules the Fix dialog shows are the rules the script creates', () => {
  it('one New-NetFirewallRule line per plan rule, same name, protocol, addresses and ports', () => {
    const input = localInput();
    const text = generateRules('windows-powershell', input).text;
    for (const r of buildWindowsPlan(input).rules) {
      const ports = r.remotePorts.map(([a, b]) => `'${a === b ? a : `${a}-${b}`}'`).join(',');
      const addresses = r.anyAddress ? '' : ` -RemoteAddress ${r.remoteAddresses.map((a) => `'${a}'`).join(',')}`;
      expect(text).toContain(
        `New-NetFirewallRule -Name '${r.name}' -DisplayName 'Pathcheck ${r.name}' -Group 'Pathcheck' -Direction Outbound -Action Allow -Protocol ${r.protocol}${addresses} -RemotePort ${ports} -Profile Any`,
      );
    }
  });
});

describe('Windows plan validation with hostile plans', () => {
  const good = (): WindowsApplyPlan => {
    const p = buildWindowsPlan(localInput());
    p.rules.push({
      name: 'pathcheck-tcp-2',
      protocol: 'TCP',
      anyAddress: true,
      remoteAddresses: [],
      remotePorts: [[443, 443]],
    });
    return p;
  };
  const refuse = (mutate: (p: Record<string, unknown> & WindowsApplyPlan) => void, field: string) => {
    const p = structuredClone(good()) as Record<string, unknown> & WindowsApplyPlan;
    mutate(p);
    try {
      assertWindowsPlan(p);
    } catch (e) {
      expect(e).toBeInstanceOf(FirewallInputError);
      expect((e as FirewallInputError).message).toContain(field);
      return;
    }
    throw new Error(`accepted a hostile plan (${field})`);
  };

  it('accepts the built plan', () => expect(() => assertWindowsPlan(good())).not.toThrow());

  it.each([
    [
      'name: command injection',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.name = "pathcheck-x'; Remove-NetFirewallRule -All; '";
      },
      'plan.rules[0].name',
    ],
    [
      'name: subexpression',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.name = 'pathcheck-$(calc)';
      },
      'plan.rules[0].name',
    ],
    [
      'name: not ours',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.name = 'CoreNet-DNS-Out';
      },
      'plan.rules[0].name',
    ],
    [
      'name: twice',
      (p: WindowsApplyPlan) => {
        p.rules[1]!.name = p.rules[0]!.name;
      },
      'plan.rules[1].name',
    ],
    [
      'group: another group',
      (p: WindowsApplyPlan) => {
        (p as { group: string }).group = 'Core Networking';
      },
      'plan.group',
    ],
    [
      'version',
      (p: WindowsApplyPlan) => {
        (p as { version: unknown }).version = '1';
      },
      'plan.version',
    ],
    [
      'protocol: any',
      (p: WindowsApplyPlan) => {
        (p.rules[0] as { protocol: string }).protocol = 'Any';
      },
      'plan.rules[0].protocol',
    ],
    [
      'protocol: lower case',
      (p: WindowsApplyPlan) => {
        (p.rules[0] as { protocol: string }).protocol = 'udp';
      },
      'plan.rules[0].protocol',
    ],
    [
      'address: injection',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remoteAddresses[0] = '203.0.113.0/24;calc';
      },
      'plan.rules[0].remoteAddresses[0]',
    ],
    [
      'address: keyword Any',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remoteAddresses[0] = 'Any';
      },
      'plan.rules[0].remoteAddresses[0]',
    ],
    [
      'address: list in one string',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remoteAddresses[0] = '203.0.113.0/24,0.0.0.0/0';
      },
      'plan.rules[0].remoteAddresses[0]',
    ],
    [
      'address: number',
      (p: WindowsApplyPlan) => {
        (p.rules[0]!.remoteAddresses as unknown[])[0] = 3405803776;
      },
      'plan.rules[0].remoteAddresses[0]',
    ],
    [
      'address: too many',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remoteAddresses = Array(MAX_ADDRESSES + 1).fill('192.0.2.1');
      },
      'plan.rules[0].remoteAddresses',
    ],
    [
      'anyAddress with addresses',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.anyAddress = true;
      },
      'plan.rules[0].remoteAddresses',
    ],
    [
      'anyAddress: string',
      (p: WindowsApplyPlan) => {
        (p.rules[0] as { anyAddress: unknown }).anyAddress = 'false';
      },
      'plan.rules[0].anyAddress',
    ],
    [
      'no address, not any',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remoteAddresses = [];
      },
      'plan.rules[0].remoteAddresses',
    ],
    [
      'port: string',
      (p: WindowsApplyPlan) => {
        (p.rules[0]!.remotePorts as unknown[])[0] = ['3478', '3478'];
      },
      'plan.rules[0].remotePorts[0]',
    ],
    [
      'port: fraction',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remotePorts[0] = [3478.5, 3479];
      },
      'plan.rules[0].remotePorts[0]',
    ],
    [
      'port: 0',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remotePorts[0] = [0, 65535];
      },
      'plan.rules[0].remotePorts[0]',
    ],
    [
      'port: reversed',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remotePorts[0] = [4000, 3000];
      },
      'plan.rules[0].remotePorts[0]',
    ],
    [
      'ports: too many',
      (p: WindowsApplyPlan) => {
        p.rules[0]!.remotePorts = Array(MAX_PORT_RANGES + 1).fill([1, 1]);
      },
      'plan.rules[0].remotePorts',
    ],
    [
      'rules: none',
      (p: WindowsApplyPlan) => {
        p.rules = [];
      },
      'plan.rules',
    ],
    [
      'rules: too many',
      (p: WindowsApplyPlan) => {
        p.rules = Array.from({ length: MAX_RULES + 1 }, (_, i) => ({ ...p.rules[0]!, name: `pathcheck-r-${i}` }));
      },
      'plan.rules',
    ],
    [
      'rules: object',
      (p: WindowsApplyPlan) => {
        (p as { rules: unknown }).rules = { 0: p.rules[0] };
      },
      'plan.rules',
    ],
    [
      'extra field on a rule',
      (p: WindowsApplyPlan) => {
        (p.rules[0] as unknown as Record<string, unknown>).program = 'C:\\evil.exe';
      },
      'plan.rules[0].program',
    ],
    [
      'extra field on the plan',
      (p: WindowsApplyPlan) => {
        (p as unknown as Record<string, unknown>).script = 'calc';
      },
      'plan.script',
    ],
    [
      'missing field',
      (p: WindowsApplyPlan) => {
        delete (p.rules[0] as Partial<WindowsApplyPlan['rules'][0]>).remotePorts;
      },
      'plan.rules[0].remotePorts',
    ],
  ])('refuses %s', (_label, mutate, field) => refuse(mutate, field));

  it('refuses non-objects', () => {
    for (const v of [null, 'plan', 42, [good()]])
      expect(() => assertWindowsPlan(v)).toThrowError(/plan: must be an object/);
  });
});

describe('windowsFirewall.apply / undo through a fake runner', () => {
  it('writes the plan 0600 as JSON and runs PowerShell with the fixed argv', async () => {
    let seen: { file: string; args: string[]; plan: unknown; mode: number } | null = null;
    const run: Runner = async (file, args) => {
      const planFile = args[args.indexOf('-Plan') + 1]!;
      seen = {
        file,
        args: [...args],
        plan: JSON.parse(readFileSync(planFile, 'utf8')),
        mode: statSync(planFile).mode & 0o777,
      };
      return ok('removed pathcheck-udp-1\nadded pathcheck-udp-1\n');
    };
    const plan = buildWindowsPlan(localInput());
    const r = await windowsFirewall.apply(plan, { scriptPath: PS1, run });
    const s = seen as unknown as { file: string; args: string[]; plan: unknown; mode: number };
    expect(s.file).toMatch(/\\System32\\WindowsPowerShell\\v1\.0\\powershell\.exe$/);
    expect(s.args.slice(0, 8)).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-File',
      PS1,
      '-Action',
      'apply',
    ]);
    expect(s.plan).toEqual(plan);
    expect(s.mode).toBe(0o600);
    expect(r).toEqual({ ok: true, action: 'apply', changed: 1, elevation: 'uac', exitCode: 0, error: null });
  });

  it('refuses a tampered plan before anything runs', async () => {
    const plan = buildWindowsPlan(localInput());
    plan.rules[0]!.remoteAddresses.push('0.0.0.0/0 -Action Block');
    let ran = false;
    await expect(
      windowsFirewall.apply(plan, { scriptPath: PS1, run: async () => ((ran = true), ok('')) }),
    ).rejects.toThrowError(FirewallInputError);
    expect(ran).toBe(false);
  });

  it('reports a cancelled UAC prompt in plain words, and undo removes the group', async () => {
    const cancelled = await windowsFirewall.apply(buildWindowsPlan(localInput()), {
      scriptPath: PS1,
      run: async () => ({
        ok: false,
        missing: false,
        code: 3,
        stdout: '',
        stderr: 'Pathcheck: the administrator prompt was cancelled; nothing was changed',
      }),
    });
    expect(cancelled.error).toMatch(/^the administrator prompt \(UAC\) was cancelled; nothing was changed/);
    let args: readonly string[] = [];
    const undone = await windowsFirewall.undo({
      scriptPath: PS1,
      run: async (_f, a) => ((args = a), ok('removed pathcheck-udp-1\nremoved pathcheck-udp-2\n')),
    });
    expect(args).not.toContain('-Plan');
    expect(undone).toMatchObject({ ok: true, action: 'undo', changed: 2 });
  });
});

describe('apply-windows.ps1 mirrors the TypeScript checks (PowerShell cannot run here)', () => {
  const ps1 = readFileSync(PS1, 'utf8');
  it('uses the same limits, name pattern and group', () => {
    expect(ps1).toContain(`$MaxRules = ${MAX_RULES}`);
    expect(ps1).toContain(`$MaxAddresses = ${MAX_ADDRESSES}`);
    expect(ps1).toContain(`$MaxPortRanges = ${MAX_PORT_RANGES}`);
    expect(ps1).toContain('$MaxPlanBytes = 65536');
    expect(ps1).toContain(`$RuleNamePattern = '${WINDOWS_RULE_NAME.source}'`);
    expect(ps1).toContain("$Group = 'Pathcheck'");
  });

  it('checks every plan field the TypeScript side checks, with the same field names', () => {
    for (const field of [
      'plan.version',
      'plan.group',
      'plan.rules',
      '$f.name',
      '$f.protocol',
      '$f.anyAddress',
      '$f.remoteAddresses',
      '$f.remotePorts',
    ]) {
      expect(ps1).toContain(`Fail-Field ${field.startsWith('$') ? `"${field}` : `'${field}'`}`);
    }
    expect(ps1).toMatch(/Test-ExactKeys \$plan @\('version', 'group', 'rules'\)/);
    expect(ps1).toMatch(/Test-ExactKeys \$r @\('name', 'protocol', 'anyAddress', 'remoteAddresses', 'remotePorts'\)/);
  });

  it('elevates with Start-Process -Verb RunAs and a fixed argument list; creates only outbound allow rules in the group', () => {
    expect(ps1).toMatch(
      /Start-Process -FilePath \(Join-Path \$PSHOME 'powershell\.exe'\) -Verb RunAs -ArgumentList \$argList/,
    );
    expect(ps1).toMatch(
      /New-NetFirewallRule -Name \$r\.name -DisplayName "Pathcheck \$\(\$r\.name\)" -Group \$Group -Direction Outbound -Action Allow/,
    );
    expect(ps1).not.toMatch(/Invoke-Expression|iex |\[scriptblock\]::Create|Add-Type/);
    expect(ps1).toMatch(/Get-NetFirewallRule -Group \$Group -PolicyStore PersistentStore/);
  });
});
