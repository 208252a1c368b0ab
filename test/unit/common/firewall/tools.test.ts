import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPacResolver } from 'pac-resolver';
import { QuickJS } from 'quickjs-wasi';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFirewallInput, generateRules, iptablesRestoreText } from '#common/firewall/index';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';
import { sampleProfile, sampleReport } from './fixtures';

/**
 * Generated rules checked by the real tools: nft (applied and undone inside a throwaway network
 * namespace via `unshare -n`, never the host's ruleset), iptables-restore --test and the iptables
 * script + undo (also inside `unshare -n`), `squid -k parse`, and the PAC evaluated by pac-resolver.
 */

const dir = mkdtempSync(join(tmpdir(), 'pathcheck-fw-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
/** Runs a FIXED shell program inside a new network namespace; data only as positional arguments. */
const inNetns = (program: string, ...args: string[]): string =>
  execFileSync('unshare', ['-n', 'sh', '-c', program, 'sh', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const input = buildFirewallInput(sampleProfile(), sampleReport());
/** The same input when detection found the drop in the stock chain (an nft -f file, not the discovery script). */
const stockChain = { nftChains: [{ family: 'inet' as const, table: 'filter', chain: 'output' }] };
const nftInput = buildFirewallInput(sampleProfile(), sampleReport(), stockChain);
const unshare = { name: 'unshare (util-linux)', present: () => hasCommand('unshare') };

describe.skipIf(missingPrereqs('nftables rules in a throwaway netns', [prereqs.root, prereqs.nft, unshare]))(
  'nftables (real nft)',
  () => {
    it('nft -c accepts the file, nft -f applies it, the undo script removes exactly the tagged rules', () => {
      const out = generateRules('nftables', nftInput);
      const rules = write('rules.nft', out.text);
      const undo = write('undo.sh', out.undo ?? '');
      const listing = inNetns(
        [
          'set -e',
          'nft add table inet filter',
          "nft add chain inet filter output '{ type filter hook output priority 0; policy accept; }'",
          'nft add rule inet filter output udp dport 3478 drop',
          'nft -c -f "$1"',
          'nft -f "$1"',
          'nft list chain inet filter output',
          'echo ----',
          'sh "$2"',
          'nft list chain inet filter output',
        ].join('\n'),
        rules,
        undo,
      );
      const [applied = '', undone = ''] = listing.split('----');
      expect(applied.match(/comment "pathcheck"/g)).toHaveLength(2);
      // nft lists set elements sorted.
      expect(applied).toMatch(
        /ip daddr \{ 198\.51\.100\.128\/25, 203\.0\.113\.0\/24 \} udp dport \{ 3478, 10000-60000 \} accept comment "pathcheck"/,
      );
      expect(applied).toMatch(
        /ip6 daddr 2001:db8:40::\/48 udp dport \{ 3478, 10000-60000 \} accept comment "pathcheck"/,
      );
      expect(undone).not.toMatch(/pathcheck/);
      expect(undone).toMatch(/udp dport 3478 drop/);
    });

    it('inserts into the chain named by detection (ip table, IPv4 only)', () => {
      const hinted = buildFirewallInput(sampleProfile(), sampleReport(), {
        nft: { family: 'ip', table: 'corp', chain: 'egress' },
      });
      const rules = write('hinted.nft', generateRules('nftables', hinted).text);
      const listing = inNetns(
        [
          'set -e',
          'nft add table ip corp',
          "nft add chain ip corp egress '{ type filter hook output priority 0; policy drop; }'",
          'nft -f "$1"',
          'nft list table ip corp',
        ].join('\n'),
        rules,
      );
      expect(listing.match(/comment "pathcheck"/g)).toHaveLength(1);
    });
  },
);

describe.skipIf(
  missingPrereqs('iptables rules in a throwaway netns', [
    prereqs.root,
    unshare,
    { name: 'iptables', present: () => hasCommand('iptables-restore') },
  ]),
)('iptables (real iptables)', () => {
  it('iptables-restore --test accepts both families', () => {
    for (const [cmd, fam] of [
      ['iptables-restore', 4],
      ['ip6tables-restore', 6],
    ] as const) {
      const file = write(`restore${fam}.txt`, iptablesRestoreText(input, fam));
      expect(() => inNetns(`${cmd} --test --noflush < "$1"`, file), cmd).not.toThrow();
    }
    const broken = write('broken.txt', iptablesRestoreText(input, 4).replace('--dports', '--dportz'));
    expect(() => inNetns('iptables-restore --test --noflush < "$1"', broken)).toThrow();
  });

  it('the script adds tagged rules and its undo removes exactly them', () => {
    const out = generateRules('iptables', input);
    const listing = inNetns(
      [
        'set -e',
        'iptables -A OUTPUT -p udp --dport 9 -j DROP',
        'sh "$1"',
        'iptables -S OUTPUT',
        'ip6tables -S OUTPUT',
        'echo ----',
        'sh "$2"',
        'iptables -S OUTPUT',
        'ip6tables -S OUTPUT',
      ].join('\n'),
      write('ipt.sh', out.text),
      write('ipt-undo.sh', out.undo ?? ''),
    );
    const [applied = '', undone = ''] = listing.split('----');
    expect(applied.match(/--comment pathcheck/g)).toHaveLength(3);
    expect(applied).toMatch(
      /-A OUTPUT -d 203\.0\.113\.0\/24 -p udp -m multiport --dports 3478,10000:60000 -m comment --comment pathcheck -j ACCEPT/,
    );
    expect(undone).not.toMatch(/pathcheck/);
    expect(undone).toMatch(/--dport 9 -j DROP/);
  });
});

describe.skipIf(
  missingPrereqs('random inputs through nft -c and iptables-restore --test', [prereqs.root, prereqs.nft, unshare]),
)('random valid inputs pass the real tools', () => {
  it('nft -c and iptables-restore --test accept every generated rule set', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const v4 = fc
      .tuple(octet, octet, octet, octet, fc.integer({ min: 8, max: 32 }))
      .map(([a, b, c, d, l]) => `${a}.${b}.${c}.${d}/${l}`);
    const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    const v6 = fc.tuple(hex, hex, fc.integer({ min: 16, max: 128 })).map(([a, b, l]) => `2001:${a}::${b}/${l}`);
    const range = fc
      .tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 500 }))
      .map(([a, n]): [number, number] => [a, Math.min(65535, a + n)]);
    const blocked = fc.record({
      protocol: fc.constantFrom('udp' as const, 'tcp' as const),
      ports: fc.array(range, { minLength: 1, maxLength: 24 }),
      to: fc.array(fc.oneof(v4, v6, fc.constant('turn.example.com')), { maxLength: 3 }),
    });
    const program = [
      'set -e',
      'nft add table inet filter',
      "nft add chain inet filter output '{ type filter hook output priority 0; policy accept; }'",
      'nft -c -f "$1"',
      'iptables-restore --test --noflush < "$2"',
      'ip6tables-restore --test --noflush < "$3"',
    ].join('\n');
    fc.assert(
      fc.property(fc.array(blocked, { minLength: 1, maxLength: 3 }), (bl) => {
        const inp = buildFirewallInput(sampleProfile({ addresses: { ipv4: [], ipv6: [] } }), sampleReport(bl));
        const files = [
          write('rand.nft', generateRules('nftables', { ...inp, ...stockChain }).text),
          write('rand4.txt', iptablesRestoreText(inp, 4)),
          write('rand6.txt', iptablesRestoreText(inp, 6)),
        ];
        inNetns(program, ...files);
      }),
      { numRuns: 25 },
    );
  });
});

describe.skipIf(missingPrereqs('squid -k parse', [prereqs.squid]))('squid (real squid -k parse)', () => {
  it('parses a minimal squid.conf that includes the generated block', () => {
    const tcpInput = buildFirewallInput(
      sampleProfile(),
      sampleReport([
        { protocol: 'tcp', ports: [[443, 443]], to: ['turn.example.com'], purpose: 'TURN over TLS', layer: 'proxy' },
        {
          protocol: 'tcp',
          ports: [[5349, 5349]],
          to: ['*.turn.example.net'],
          purpose: 'TURN over TLS',
          layer: 'proxy',
        },
        { protocol: 'udp', ports: [[3478, 3478]], to: ['turn.example.com'], purpose: 'TURN over UDP' },
      ]),
    );
    const out = generateRules('squid', tcpInput);
    // Each port set keeps its own names: 443 for the profile's TURN-TLS and signaling, 443 + 5349 for what the report found.
    expect(out.text).toMatch(/^acl pathcheck_ports_1 port 443$/m);
    expect(out.text).toMatch(/^acl pathcheck_relay_1 dstdomain turn\.example\.com sig\.example\.com$/m);
    expect(out.text).toMatch(/^acl pathcheck_ports_2 port 443 5349$/m);
    expect(out.text).toMatch(/^acl pathcheck_relay_2 dstdomain turn\.example\.com \.turn\.example\.net$/m);
    expect(out.text).toMatch(
      /^acl pathcheck_relay_ip_2 dst 203\.0\.113\.0\/24 198\.51\.100\.128\/25 2001:db8:40::\/48$/m,
    );
    expect(out.text).toMatch(/^http_access allow pathcheck_connect pathcheck_relay_ip_2 pathcheck_ports_2$/m);
    expect(out.notes.join(' ')).toMatch(/UDP is never proxied/);
    const conf = write(
      'squid.conf',
      [
        'http_port 127.0.0.1:3999',
        'acl SSL_ports port 443',
        'acl CONNECT method CONNECT',
        out.text,
        'http_access deny CONNECT !SSL_ports',
        'http_access deny all',
        '',
      ].join('\n'),
    );
    // squid -k parse logs to stderr and exits 0 even on ERROR lines, so read the log itself.
    const r = spawnSync('squid', ['-k', 'parse', '-f', conf], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const errors = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /ERROR|FATAL|WARNING|Bungled/.test(l));
    // The only tolerated complaint: this Debian squid is built without OpenSSL, so it cannot bump anyway.
    const unexpected = errors.filter((l) => !/'ssl_bump' requires --with-openssl/.test(l));
    expect(unexpected).toEqual([]);
  });
});

describe('PAC (evaluated by pac-resolver)', () => {
  it('sends TURN hosts DIRECT and everything else to the proxy from the report', async () => {
    const pacInput = buildFirewallInput(
      sampleProfile({
        turn: [
          { host: 'turn.example.com', port: 443, transport: 'tls' },
          { host: 'turn2.example.com', port: 3478, transport: 'udp' },
        ],
      }),
      sampleReport([{ protocol: 'tcp', ports: [[443, 443]], to: ['*.relay.example.net'], purpose: 'TURN over TLS' }]),
    );
    const out = generateRules('pac', pacInput);
    const qjs = await QuickJS.create();
    const find = createPacResolver(qjs, out.text);
    expect(await find('https://turn.example.com/')).toBe('DIRECT');
    expect(await find('https://turn2.example.com/')).toBe('DIRECT');
    expect(await find('https://eu.relay.example.net/')).toBe('DIRECT');
    expect(await find('https://www.example.org/')).toBe('PROXY proxy.corp.example:3128');
    expect(await find('https://sig.example.com/')).toBe('PROXY proxy.corp.example:3128');
    expect(await find('https://notturn.example.com/')).toBe('PROXY proxy.corp.example:3128');
  });

  it('matches names given with a trailing root dot or in capitals, and IP-literal TURN servers', async () => {
    const pacInput = buildFirewallInput(
      sampleProfile({
        turn: [
          { host: 'Turn.Example.com.', port: 443, transport: 'tls' },
          { host: '192.0.2.10', port: 443, transport: 'tls' },
        ],
      }),
      sampleReport([{ protocol: 'tcp', ports: [[443, 443]], to: ['*.relay.example.net.'], purpose: 'TURN over TLS' }]),
    );
    const out = generateRules('pac', pacInput);
    expect(out.text).not.toMatch(/\."\)|\."/);
    const qjs = await QuickJS.create();
    const find = createPacResolver(qjs, out.text);
    expect(await find('https://turn.example.com/')).toBe('DIRECT');
    expect(await find('https://eu.relay.example.net/')).toBe('DIRECT');
    expect(await find('https://192.0.2.10/')).toBe('DIRECT');
    expect(await find('https://www.example.org/')).toBe('PROXY proxy.corp.example:3128');
  });
});
