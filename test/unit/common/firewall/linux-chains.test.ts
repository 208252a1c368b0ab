import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildFirewallInput,
  FIREWALL_TAG,
  FOREIGN_TABLES,
  FOREIGN_TABLES_ERE,
  FirewallInputError,
  generateRules,
  NFT_DROPPING_OUTPUT_CHAINS_JQ,
  type FirewallInput,
} from '#common/firewall/index';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';
import { sampleProfile, sampleReport } from './fixtures';

/**
 * The Linux outputs where the drop is not in `inet filter output`: every dropping chain of tables
 * of other names, the discovery script for when the chains are not known (the same jq program and
 * exclusions as the elevated apply script, by text), and the iptables variant that holds the drop.
 * Real nft / iptables inside `unshare -n` (never the host's ruleset).
 */
const ROOT = resolve(import.meta.dirname, '../../../..');
const APPLY_SCRIPT = join(ROOT, 'resources/firewall/apply-linux.sh');
const dir = mkdtempSync(join(tmpdir(), 'pathcheck-fw-chains-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
/** A FIXED program in a fresh network namespace; data only as positional arguments. */
const inNetns = (program: string, ...args: string[]): string =>
  execFileSync('unshare', ['-n', 'bash', '-c', program, 'bash', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const TWO_DROPS = [
  'set -e',
  'nft add table inet hbfw',
  "nft add chain inet hbfw out '{ type filter hook output priority 0; policy accept; }'",
  'nft add rule inet hbfw out udp dport 3478 drop',
  'nft add table ip corp',
  "nft add chain ip corp egress '{ type filter hook output priority 10; policy drop; }'",
  // Not dropping: nothing goes here.
  'nft add table inet quiet',
  "nft add chain inet quiet out '{ type filter hook output priority 5; policy accept; }'",
  // Another product's: left alone.
  'nft add table inet mullvad',
  "nft add chain inet mullvad output '{ type filter hook output priority 0; policy accept; }'",
  'nft add rule inet mullvad output udp dport 3478 drop',
];
const chainsOf = (listing: string, tag = FIREWALL_TAG) =>
  listing
    .split('\n')
    .filter((l) => l.includes(`comment "${tag}"`))
    .map((l) => l.trim());

const input = buildFirewallInput(sampleProfile(), sampleReport());
const unshare = { name: 'unshare (util-linux)', present: () => hasCommand('unshare') };
const jq = { name: 'jq', present: () => hasCommand('jq') };

describe('the discovery script and the elevated apply find chains the same way', () => {
  it('apply-linux.sh carries the exact jq program and list of other products\u2019 tables', () => {
    const script = readFileSync(APPLY_SCRIPT, 'utf8');
    expect(script).toContain(`jq -r '${NFT_DROPPING_OUTPUT_CHAINS_JQ}')`);
    expect(script).toContain(`FOREIGN_RE='${FOREIGN_TABLES_ERE}'`);
    // …and the ERE names the same products as FOREIGN_TABLES.
    const re = new RegExp(FOREIGN_TABLES_ERE);
    for (const t of ['mullvad', 'ts-forward', 'wg-quick-wg0', 'firewalld', 'docker', 'libvirt_network', 'lxd'])
      expect(re.test(t), t).toBe(FOREIGN_TABLES.some((f) => f.pattern.test(t)));
  });

  it('refuses rule text with a character outside the validated alphabet', () => {
    const bad = {
      ...input,
      requirements: [{ ...input.requirements[0]!, ipv4: ["203.0.113.0/24'"] }],
    } as FirewallInput;
    expect(() => generateRules('nftables', bad)).toThrow(FirewallInputError);
  });
});

describe('hand-built hints are re-validated before any text exists', () => {
  const chain = (table: string, name = 'out') => ({ family: 'inet' as const, table, chain: name });
  it.each([
    ['a table with a space', { nftChains: [chain('hb fw')] }, 'nftChains[0].table'],
    ['a chain with a quote', { nftChains: [chain('hbfw'), chain('corp', 'egress"')] }, 'nftChains[1].chain'],
    ['a chain with a newline', { nftChains: [chain('hbfw', 'out\nflush ruleset')] }, 'nftChains[0].chain'],
    ['a family that is not one', { nftChains: [{ family: 'bridge', table: 'x', chain: 'y' }] }, 'nftChains[0].family'],
    ['too many chains', { nftChains: Array.from({ length: 17 }, (_, i) => chain(`t${i}`)) }, 'nftChains'],
    ['an unknown iptables variant', { iptablesVariants: ['legacy; reboot'] }, 'iptablesVariants[0]'],
  ])('%s: every Linux target refuses it, naming the field', (_what, extra, field) => {
    for (const t of ['nftables', 'iptables', 'ufw', 'firewalld'] as const) {
      const bad = { ...input, ...extra } as unknown as FirewallInput;
      expect(() => generateRules(t, bad), t).toThrow(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: `));
    }
  });
});

describe.skipIf(missingPrereqs('nftables chains in a throwaway netns', [prereqs.root, prereqs.nft, unshare, jq]))(
  'nftables into every dropping chain (real nft)',
  () => {
    it('two dropping chains named by the report: nft -f puts the rules in both; undo removes exactly them', () => {
      const hinted = buildFirewallInput(sampleProfile(), sampleReport(), {
        nftChains: [
          { family: 'inet', table: 'hbfw', chain: 'out' },
          { family: 'ip', table: 'corp', chain: 'egress' },
        ],
      });
      const out = generateRules('nftables', hinted);
      expect(out.format).toBe('nft');
      const listing = inNetns(
        [...TWO_DROPS, 'nft -f "$1"', 'nft list ruleset', 'echo ----', 'sh "$2"', 'nft list ruleset'].join('\n'),
        write('two.nft', out.text),
        write('two-undo.sh', out.undo ?? ''),
      );
      const [applied = '', undone = ''] = listing.split('----');
      // inet hbfw: the IPv4 and IPv6 rule; ip corp: the IPv4 rule only.
      expect(chainsOf(applied)).toHaveLength(3);
      expect(applied).toMatch(
        /table ip corp \{[^}]*chain egress \{[^]*?ip daddr \{ 198\.51\.100\.128\/25, 203\.0\.113\.0\/24 \}/,
      );
      expect(chainsOf(undone)).toEqual([]);
      expect(undone).toMatch(/udp dport 3478 drop/);
    });

    it('chains not known: the script finds both dropping chains, skips the quiet and the VPN table, undo removes all', () => {
      const out = generateRules('nftables', input);
      expect(out.format).toBe('shell');
      const listing = inNetns(
        [
          ...TWO_DROPS,
          'bash "$1" 2>&1',
          'echo ----',
          'nft list table inet hbfw; nft list table ip corp; nft list table inet quiet; nft list table inet mullvad',
          'echo ----',
          'bash "$2"',
          'nft list ruleset',
        ].join('\n'),
        write('discover.sh', out.text),
        write('discover-undo.sh', out.undo ?? ''),
      );
      const [said = '', applied = '', undone = ''] = listing.split('----');
      expect(said).toMatch(/added to inet hbfw out: ip daddr/);
      expect(said).toMatch(/added to inet hbfw out: ip6 daddr/);
      expect(said).toMatch(/added to ip corp egress: ip daddr/);
      expect(said).toMatch(/inet mullvad output drops outbound traffic but belongs to another product; left alone/);
      expect(chainsOf(applied)).toHaveLength(3);
      expect(applied).toMatch(
        /table inet quiet \{\s*chain out \{\s*type filter hook output priority [^;]+; policy accept;\s*\}/,
      );
      expect(applied).toMatch(/table inet mullvad \{\s*chain output \{[^}]*udp dport 3478 drop\s*\}/);
      expect(chainsOf(undone)).toEqual([]);
    });

    it('chains not known, nft refuses the third rule: the two it added are removed again, exit 3', () => {
      const out = generateRules('nftables', input);
      // Fault injection: an nft earlier on PATH that refuses the third insert and runs the real nft otherwise.
      const fake = join(dir, 'bin');
      execFileSync('mkdir', ['-p', fake]);
      const real = execFileSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).trim();
      writeFileSync(
        join(fake, 'nft'),
        [
          '#!/bin/sh',
          'case "$*" in *insert*) n=$(cat "$0.count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$0.count";',
          '  [ "$n" -eq 3 ] && { echo "Error: refused" >&2; exit 1; } ;; esac',
          `exec ${real} "$@"`,
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      const listing = inNetns(
        [...TWO_DROPS, 'PATH="$2:$PATH" bash "$1" 2>&1 || echo "exit $?"', 'echo ----', 'nft list ruleset'].join('\n'),
        write('refused.sh', out.text),
        fake,
      );
      const [said = '', after = ''] = listing.split('----');
      expect(said.match(/^added to /gm)).toHaveLength(2);
      expect(said).toMatch(/nft refused a rule; the rules this run added were removed again/);
      expect(said).toMatch(/exit 3/);
      expect(chainsOf(after)).toEqual([]);
      expect(after).toMatch(/udp dport 3478 drop/);
    });

    it('chains not known and nothing drops in nftables: exit 3, nothing changed', () => {
      const out = generateRules('nftables', input);
      const program = [
        'nft add table inet quiet',
        "nft add chain inet quiet out '{ type filter hook output priority 5; policy accept; }'",
        'bash "$1" 2>&1; echo "exit $?"',
        'nft list ruleset',
      ].join('\n');
      const listing = inNetns(program, write('none.sh', out.text));
      expect(listing).toMatch(/no nftables output chain of this computer drops this traffic/);
      expect(listing).toMatch(/exit 3/);
      expect(chainsOf(listing)).toEqual([]);
    });
  },
);

const legacy = { name: 'iptables-legacy', present: () => hasCommand('iptables-legacy') };
describe.skipIf(missingPrereqs('iptables variants in a throwaway netns', [prereqs.root, unshare, legacy]))(
  'iptables-legacy vs iptables-nft (real iptables)',
  () => {
    const program = [
      'set -e',
      'iptables-legacy -A OUTPUT -p udp --dport 3478 -j DROP',
      'sh "$1"',
      'iptables-legacy -S OUTPUT; echo ----; iptables-nft -S OUTPUT',
      'echo ----',
      'sh "$2"',
      'iptables-legacy -S OUTPUT',
    ].join('\n');

    it('the report says iptables-legacy holds the drop: the rules go there, undo removes exactly them', () => {
      const out = generateRules('iptables', { ...input, iptablesVariants: ['legacy'] });
      const [inLegacy = '', inNft = '', undone = ''] = inNetns(
        program,
        write('legacy.sh', out.text),
        write('legacy-undo.sh', out.undo ?? ''),
      ).split('----');
      expect(inLegacy.match(/--comment pathcheck/g)).toHaveLength(2);
      expect(inNft).not.toMatch(/pathcheck/);
      expect(undone).not.toMatch(/pathcheck/);
      expect(undone).toMatch(/--dport 3478 -j DROP/);
    });

    it('ip6tables refuses its rule (a kernel without IPv6): the IPv4 rules it inserted are deleted again, exit 3', () => {
      const out = generateRules('iptables', { ...input, iptablesVariants: ['legacy'] });
      const fake = join(dir, 'no-ipv6');
      execFileSync('mkdir', ['-p', fake]);
      writeFileSync(
        join(fake, 'ip6tables-legacy'),
        '#!/bin/sh\necho "can\'t initialize ip6tables table" >&2\nexit 3\n',
        {
          mode: 0o755,
        },
      );
      const said = inNetns(
        [
          'iptables-legacy -A OUTPUT -p udp --dport 3478 -j DROP',
          'PATH="$2:$PATH" sh "$1" 2>&1 || echo "exit $?"',
          'iptables-legacy -S OUTPUT',
        ].join('\n'),
        write('no-ipv6.sh', out.text),
        fake,
      );
      expect(said).toMatch(/the rules this script added were removed again/);
      expect(said).toMatch(/exit 3/);
      expect(said).not.toMatch(/--comment pathcheck/);
      expect(said).toMatch(/--dport 3478 -j DROP/);
    });

    it('not known from the report: the script finds that iptables-legacy holds the drop', () => {
      const out = generateRules('iptables', input);
      expect(out.text).toContain('holds_drop');
      const [inLegacy = '', inNft = '', undone = ''] = inNetns(
        program,
        write('unknown.sh', out.text),
        write('unknown-undo.sh', out.undo ?? ''),
      ).split('----');
      expect(inLegacy.match(/--comment pathcheck/g)).toHaveLength(2);
      expect(inNft).not.toMatch(/pathcheck/);
      expect(undone).not.toMatch(/pathcheck/);
    });
  },
);
