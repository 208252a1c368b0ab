import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFirewallInput, buildNftApplyPlan, generateRules } from '#common/firewall/index';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';
import { sampleProfile, sampleReport } from './fixtures';

/**
 * nft rules in iptables-nft's own tables (`ip filter OUTPUT`, `ip6 filter OUTPUT`: where iptables-nft,
 * and ufw on it, keep a drop). iptables-nft reads a rule back only if it is one it could have written:
 * an anonymous set of addresses or ports is silently left out, so `iptables-nft-save | iptables-nft-restore`
 * (netfilter-persistent, a ufw reload, any iptables-restore of a saved file) turned
 * `ip daddr { A, B } udp dport 3478 accept` into "UDP 3478 to anywhere", dropping the tag too. The rules
 * for such a chain must survive that round trip exactly: one address and one port range per rule.
 * Real nft and iptables-nft inside `unshare -n`.
 */
const APPLY_SCRIPT = resolve(import.meta.dirname, '../../../../resources/firewall/apply-linux.sh');
const dir = mkdtempSync(join(tmpdir(), 'pathcheck-fw-iptnft-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const inNetns = (program: string, ...args: string[]): string =>
  execFileSync('unshare', ['-n', 'bash', '-c', program, 'bash', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** iptables-nft drops everything outbound; the printed output is applied; then a save/restore round trip. */
const roundTrip = (apply: string) =>
  [
    'set -e',
    'iptables-nft -P OUTPUT DROP',
    'ip6tables-nft -P OUTPUT DROP',
    apply,
    'iptables-nft-save | iptables-nft-restore',
    'ip6tables-nft-save | ip6tables-nft-restore',
    'iptables-nft -S OUTPUT; ip6tables-nft -S OUTPUT',
  ].join('\n');

/** The sample: UDP 3478 and UDP 10000-60000 to 203.0.113.0/24 and 198.51.100.128/25 (IPv4), 2001:db8:40::/48 (IPv6). */
const EXPECTED = [
  '-A OUTPUT -d 198.51.100.128/25 -p udp -m udp --dport 3478 -m comment --comment pathcheck -j ACCEPT',
  '-A OUTPUT -d 198.51.100.128/25 -p udp -m udp --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT',
  '-A OUTPUT -d 203.0.113.0/24 -p udp -m udp --dport 3478 -m comment --comment pathcheck -j ACCEPT',
  '-A OUTPUT -d 203.0.113.0/24 -p udp -m udp --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT',
  '-A OUTPUT -d 2001:db8:40::/48 -p udp -m udp --dport 3478 -m comment --comment pathcheck -j ACCEPT',
  '-A OUTPUT -d 2001:db8:40::/48 -p udp -m udp --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT',
];
const accepts = (listing: string) =>
  listing
    .split('\n')
    .filter((l) => l.startsWith('-A OUTPUT'))
    .sort();

const unshare = { name: 'unshare (util-linux)', present: () => hasCommand('unshare') };
const jq = { name: 'jq', present: () => hasCommand('jq') };
const iptNft = { name: 'iptables-nft', present: () => hasCommand('iptables-nft-restore') };

describe.skipIf(
  missingPrereqs('iptables-nft tables in a throwaway netns', [prereqs.root, prereqs.nft, unshare, jq, iptNft]),
)('nft rules in iptables-nft\u2019s tables survive iptables-nft-save | iptables-nft-restore exactly', () => {
  const input = buildFirewallInput(sampleProfile(), sampleReport());

  it('the report names ip filter OUTPUT and ip6 filter OUTPUT: the nft file; its undo still finds every rule after the round trip', () => {
    const out = generateRules('nftables', {
      ...input,
      nftChains: [
        { family: 'ip', table: 'filter', chain: 'OUTPUT' },
        { family: 'ip6', table: 'filter', chain: 'OUTPUT' },
      ],
    });
    expect(out.format).toBe('nft');
    const listing = inNetns(
      `${roundTrip('nft -f "$1"')}\necho ----\nsh "$2"\niptables-nft -S OUTPUT; ip6tables-nft -S OUTPUT`,
      write('iptnft.nft', out.text),
      write('iptnft-undo.sh', out.undo ?? ''),
    );
    const [applied = '', undone = ''] = listing.split('----');
    expect(accepts(applied)).toEqual([...EXPECTED].sort());
    expect(undone).not.toMatch(/pathcheck|ACCEPT/);
    expect(undone).toMatch(/-P OUTPUT DROP/);
  });

  it('the chains are not known: the discovery script; its undo still finds every rule after the round trip', () => {
    const out = generateRules('nftables', input);
    expect(out.format).toBe('shell');
    const listing = inNetns(
      `${roundTrip('bash "$1" >/dev/null')}\necho ----\nbash "$2"\niptables-nft -S OUTPUT; ip6tables-nft -S OUTPUT`,
      write('iptnft.sh', out.text),
      write('iptnft-undo.sh', out.undo ?? ''),
    );
    const [applied = '', undone = ''] = listing.split('----');
    expect(accepts(applied)).toEqual([...EXPECTED].sort());
    expect(undone).not.toMatch(/pathcheck|ACCEPT/);
    expect(undone).toMatch(/-P OUTPUT DROP/);
  });

  it.each([
    ['finds the chains (discover)', 'discover' as const],
    [
      'is given the chains',
      [
        { family: 'ip' as const, table: 'filter', chain: 'OUTPUT' },
        { family: 'ip6' as const, table: 'filter', chain: 'OUTPUT' },
      ],
    ],
  ])('the elevated apply-linux.sh %s', (_what, chains) => {
    const plan = buildNftApplyPlan(input, chains);
    const listing = inNetns(
      roundTrip('bash "$1" apply < "$2" >/dev/null'),
      APPLY_SCRIPT,
      write('plan.json', JSON.stringify(plan)),
    );
    expect(accepts(listing)).toEqual([...EXPECTED].sort());
  });

  it('the elevated undo (the app\u2019s Undo, with the handles its apply reported) after the round trip removes every rule', () => {
    const plan = buildNftApplyPlan(input, [
      { family: 'ip', table: 'filter', chain: 'OUTPUT' },
      { family: 'ip6', table: 'filter', chain: 'OUTPUT' },
    ]);
    const program = roundTrip('out=$(bash "$1" apply < "$2")').replace(
      /\niptables-nft -S OUTPUT; ip6tables-nft -S OUTPUT$/,
      [
        '',
        // The plan's remove: exactly what the apply reported ("added <handle> <family> <table> <chain>").
        'rm=$(printf \'%s\\n\' "$out" | jq -R -s \'[split("\\n")[] | select(length > 0) | split(" ") | {family: .[2], table: .[3], chain: .[4], handle: (.[1] | tonumber)}]\')',
        'jq --argjson r "$rm" \'.remove = $r\' "$2" | bash "$1" undo 2>/dev/null',
        'iptables-nft -S OUTPUT; ip6tables-nft -S OUTPUT',
      ].join('\n'),
    );
    const listing = inNetns(program, APPLY_SCRIPT, write('plan-undo.json', JSON.stringify(plan)));
    expect(listing).not.toMatch(/pathcheck|ACCEPT/);
    expect(listing).toMatch(/-P OUTPUT DROP/);
  });
});
