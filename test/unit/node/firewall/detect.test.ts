import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyLayer, detectLocalFirewall, type FirewallDetection } from '#node/firewall/detect';
import { parseFirewalldState, parseIptablesSave, parseNftRuleset, parseUfwStatus } from '#node/firewall/parse-linux';
import {
  parseMacAppFirewall,
  parsePfInfo,
  parseWindowsFirewallProfiles,
  summarizeWindowsProfiles,
} from '#node/firewall/parse-other';
import type { RunResult, Runner } from '#node/firewall/run';
import { WINDOWS_DETECT_COMMAND } from '#node/firewall/windows/index';

/**
 * Detection parsers on captured outputs (nft/iptables captured here inside `unshare -n`; Windows,
 * macOS and ufw samples follow the documented output formats), detection with an injected runner,
 * and the layer classifier.
 */
const sample = (f: string): string => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'samples', f), 'utf8');
const ok = (stdout: string): RunResult => ({ ok: true, missing: false, code: 0, stdout, stderr: '' });
const missing: RunResult = { ok: false, missing: true, code: null, stdout: '', stderr: 'ENOENT' };

describe('Linux parsers', () => {
  it('nft: finds output chains that drop, through jumps, with policy drop, ignoring input and nat chains', () => {
    const p = parseNftRuleset(sample('nft-ruleset.json'));
    expect(p.dropChains.map((c) => [c.family, c.table, c.chain, c.policyDrop])).toEqual([
      ['inet', 'filter', 'output', false],
      ['ip', 'strict', 'out', true],
    ]);
    expect(p.dropChains[0]?.drops).toEqual([
      { protocol: 'udp', ports: [[3478, 3478]], verdict: 'drop' },
      {
        protocol: 'tcp',
        ports: [
          [443, 443],
          [5349, 5349],
        ],
        verdict: 'reject',
      },
      { protocol: 'udp', ports: [[10000, 60000]], verdict: 'drop' },
    ]);
    expect(p.outboundDefault).toBe('drop');
    expect(parseNftRuleset('{"nftables":[{"metainfo":{}}]}')).toEqual({
      dropChains: [],
      outboundDefault: 'allow',
      tables: 0,
    });
  });

  it('iptables-save: OUTPUT policy and drop/reject rules with ports', () => {
    const p = parseIptablesSave(sample('iptables-save.txt'));
    expect(p.present).toBe(true);
    expect(p.outboundDefault).toBe('drop');
    expect(p.drops).toEqual([
      { protocol: 'any', ports: null, verdict: 'policy' },
      { protocol: 'udp', ports: [[3478, 3478]], verdict: 'drop' },
      {
        protocol: 'tcp',
        ports: [
          [443, 443],
          [5349, 5350],
        ],
        verdict: 'reject',
      },
    ]);
    expect(parseIptablesSave('')).toEqual({ present: false, outboundDefault: 'allow', drops: [] });
  });

  it('ufw and firewalld', () => {
    expect(parseUfwStatus(sample('ufw-status-deny-out.txt'))).toEqual({ active: true, outboundDefault: 'drop' });
    expect(parseUfwStatus(sample('ufw-status-default.txt'))).toEqual({ active: true, outboundDefault: 'allow' });
    expect(parseUfwStatus('Status: inactive\n')).toEqual({ active: false, outboundDefault: 'allow' });
    expect(parseFirewalldState('running\n')).toBe(true);
    expect(parseFirewalldState('not running\n')).toBe(false);
  });
});

describe('Windows and macOS parsers', () => {
  it('Windows: GPO that blocks outbound and forbids local rules', () => {
    const s = summarizeWindowsProfiles(parseWindowsFirewallProfiles(sample('windows-profiles-gpo.json')));
    expect(s.outboundDefault).toBe('drop');
    expect(s.localRulesAllowed).toBe(false);
    expect(s.notes.join(' ')).toMatch(/Domain/);
  });

  it('Windows: defaults (single object, NotConfigured) and numeric enums', () => {
    expect(summarizeWindowsProfiles(parseWindowsFirewallProfiles(sample('windows-profiles-default.json')))).toEqual({
      outboundDefault: 'allow',
      localRulesAllowed: true,
      notes: [],
    });
    const numeric = parseWindowsFirewallProfiles(sample('windows-profiles-numeric.json'));
    expect(numeric).toEqual([
      { name: 'Domain', enabled: true, outbound: 'allow', allowLocalRules: true },
      { name: 'Private', enabled: false, outbound: 'drop', allowLocalRules: false },
    ]);
    // A disabled profile does not count.
    expect(summarizeWindowsProfiles(numeric).outboundDefault).toBe('allow');
  });

  it('macOS: application firewall state and pf status', () => {
    expect(parseMacAppFirewall(sample('socketfilterfw-on.txt'))).toBe(true);
    expect(parseMacAppFirewall(sample('socketfilterfw-off.txt'))).toBe(false);
    expect(parsePfInfo(sample('pfctl-info-enabled.txt'))).toBe(true);
    expect(parsePfInfo(sample('pfctl-info-disabled.txt'))).toBe(false);
    expect(parsePfInfo('pfctl: /dev/pf: Permission denied')).toBeNull();
  });
});

describe('detectLocalFirewall with an injected runner', () => {
  it('Linux: absent tools are not present; the nft drop chain is reported', async () => {
    const calls: string[][] = [];
    const run: Runner = async (file, args) => {
      calls.push([file, ...args]);
      if (file === 'nft') return ok(sample('nft-ruleset.json'));
      if (file === 'ufw') return ok(sample('ufw-status-default.txt'));
      return missing;
    };
    const d = await detectLocalFirewall({ platform: 'linux', run });
    expect(d.engines.map((e) => e.name)).toEqual(['nftables', 'ufw']);
    expect(d.dropChains.map((c) => `${c.family} ${c.table} ${c.chain}`)).toEqual([
      'inet filter output',
      'ip strict out',
    ]);
    expect(d.outboundDefault).toBe('drop');
    expect(calls).toContainEqual(['nft', '-j', 'list', 'ruleset']);
    expect(calls).toContainEqual(['firewall-cmd', '--state']);
  });

  it('Linux: nothing installed → no engines, outbound allowed', async () => {
    const d = await detectLocalFirewall({ platform: 'linux', run: async () => missing });
    expect(d).toMatchObject({ engines: [], outboundDefault: 'allow', dropChains: [] });
    expect(d.notes.join(' ')).toMatch(/No Linux firewall tool/);
  });

  it('Windows: runs the fixed PowerShell command with -NoProfile -NonInteractive', async () => {
    const argv: string[][] = [];
    const d = await detectLocalFirewall({
      platform: 'win32',
      run: async (file, args) => {
        argv.push([file, ...args]);
        return ok(`{"profiles":${sample('windows-profiles-gpo.json').trim()},"blockRules":[],"products":[]}`);
      },
    });
    expect(argv).toEqual([
      [
        expect.stringMatching(/\\System32\\WindowsPowerShell\\v1\.0\\powershell\.exe$/),
        '-NoProfile',
        '-NonInteractive',
        '-Command',
        WINDOWS_DETECT_COMMAND,
      ],
    ]);
    expect(d.localRulesAllowed).toBe(false);
    expect(d.outboundDefault).toBe('drop');
  });

  it('macOS: application firewall is inbound-only, pf disabled → outbound allowed', async () => {
    const d = await detectLocalFirewall({
      platform: 'darwin',
      run: async (file, args) =>
        ok(
          file === '/sbin/pfctl'
            ? args[1] === 'info'
              ? sample('pfctl-info-disabled.txt')
              : ''
            : file.endsWith('socketfilterfw')
              ? sample('socketfilterfw-on.txt')
              : '',
        ),
    });
    expect(d.engines.map((e) => [e.name, e.active])).toEqual([
      ['macos-alf', true],
      ['pf', false],
    ]);
    expect(d.outboundDefault).toBe('allow');
  });
});

describe('classifyLayer', () => {
  const det: FirewallDetection = {
    platform: 'linux',
    engines: [],
    outboundDefault: 'allow',
    localRulesAllowed: true,
    dropChains: [
      {
        family: 'inet',
        table: 'filter',
        chain: 'output',
        drops: [{ protocol: 'tcp', ports: [[443, 443]], verdict: 'drop' }],
      },
    ],
    notes: [],
  };
  it('EPERM on a UDP send is local', () => {
    expect(
      classifyLayer({ transport: 'udp', port: 3478, reason: 'local-blocked', evidence: { code: 'EPERM' } }, null),
    ).toBe('local');
    expect(classifyLayer({ transport: 'udp', port: 3478, reason: 'error', evidence: { code: 'EPERM' } }, det)).toBe(
      'local',
    );
  });
  it('a timeout is local only when a local drop rule matches, else perimeter', () => {
    expect(classifyLayer({ transport: 'tls', port: 443, reason: 'timeout' }, det)).toBe('local');
    expect(classifyLayer({ transport: 'tcp', port: 8443, reason: 'timeout' }, det)).toBe('perimeter');
    expect(classifyLayer({ transport: 'udp', port: 443, reason: 'timeout' }, det)).toBe('perimeter');
    expect(classifyLayer({ transport: 'udp', port: 443, reason: 'timeout' }, null)).toBe('unknown');
  });
  it('a failure through the proxy is the proxy', () => {
    expect(classifyLayer({ transport: 'tls', port: 443, reason: 'timeout', evidence: { viaProxy: true } }, det)).toBe(
      'proxy',
    );
    expect(classifyLayer({ transport: 'tcp', port: 3478, reason: 'proxy-denied' }, det)).toBe('proxy');
  });
});
