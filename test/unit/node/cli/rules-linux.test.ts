import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '#node/cli/command';
import type { LocalFirewall, Report } from '#common/report/schema';
import { captureIo } from './io';

/**
 * `rules --from` for the Linux targets, from what the report says about the diagnosed computer's
 * firewall (`firewall.local`): every dropping chain gets the rules; ufw or firewalld, when they
 * manage the firewall, get their own commands (with the reason); a drop only in iptables-legacy
 * gets iptables-legacy commands; a report that did not see the chains gets the script that finds
 * them. Hostile chain names never reach the output: the field is named, nothing is printed.
 */
const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/reports/other-machine.json');

function reportWith(local: Partial<LocalFirewall> | null): string {
  const r = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Report;
  if (local === null) delete r.firewall.local;
  else r.firewall.local = { ...r.firewall.local!, ...local };
  const file = join(mkdtempSync(join(tmpdir(), 'pc-rules-linux-')), 'report.json');
  writeFileSync(file, JSON.stringify(r));
  return file;
}

async function rules(file: string, target: string) {
  const io = captureIo();
  const code = await main(['rules', '--from', file, '--target', target], io);
  return { code, out: io.out(), err: io.err() };
}

const engine = (name: string, active: boolean | null = true) => ({ name, present: true, active });

describe('rules --from on Linux: where the diagnosed computer drops', () => {
  it('inserts into every dropping chain the report found, not only the first', async () => {
    const file = reportWith({
      dropChains: [
        { family: 'inet', table: 'hbfw', chain: 'out' },
        { family: 'ip', table: 'corp', chain: 'egress' },
      ],
    });
    const r = await rules(file, 'nftables');
    expect(r.code, r.err).toBe(0);
    const inserts = r.out.split('\n').filter((l) => l.startsWith('insert rule'));
    expect(inserts).toEqual([
      'insert rule inet hbfw out ip daddr 192.0.2.10 udp dport 3478 accept comment "pathcheck"',
      'insert rule inet hbfw out ip6 daddr 2001:db8::10 udp dport 3478 accept comment "pathcheck"',
      'insert rule inet hbfw out ip daddr 192.0.2.10 tcp dport 443 accept comment "pathcheck"',
      // An ip table sees only IPv4 packets: the IPv6 rule is not put there.
      'insert rule ip corp egress ip daddr 192.0.2.10 udp dport 3478 accept comment "pathcheck"',
      'insert rule ip corp egress ip daddr 192.0.2.10 tcp dport 443 accept comment "pathcheck"',
    ]);
  });

  it('--undo prints the script that removes exactly the tagged rules, from every chain the rules went into', async () => {
    const file = reportWith({
      dropChains: [
        { family: 'inet', table: 'hbfw', chain: 'out' },
        { family: 'ip', table: 'corp', chain: 'egress' },
      ],
    });
    const io = captureIo();
    expect(await main(['rules', '--from', file, '--target', 'nftables', '--undo'], io)).toBe(0);
    expect(io.out()).toContain('nft -a list chain inet hbfw out | sed');
    expect(io.out()).toContain('nft delete rule ip corp egress handle "$h"');
    expect(io.out()).not.toContain('insert rule');
    const ufw = captureIo();
    expect(await main(['rules', '--from', file, '--target', 'ufw', '--undo'], ufw)).toBe(0);
    expect(ufw.out()).toMatch(/ufw --force delete "\$n"/);
  });

  it('leaves another product\u2019s chain alone and says so', async () => {
    const file = reportWith({
      dropChains: [
        { family: 'inet', table: 'mullvad', chain: 'output' },
        { family: 'inet', table: 'hbfw', chain: 'out' },
      ],
    });
    const r = await rules(file, 'nftables');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('mullvad');
    expect(r.out).toContain('insert rule inet hbfw out ip daddr 192.0.2.10');
    expect(r.err).toMatch(/inet mullvad output also drops, but it belongs to Mullvad VPN/);
  });

  it('a report that did not see the chains gets the script that finds them when it runs', async () => {
    const r = await rules(reportWith(null), 'nftables');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('#!/bin/bash\n')).toBe(true);
    expect(r.out).toContain('nft -j list ruleset | jq -r');
    expect(r.out).toContain(`v4 'ip daddr 192.0.2.10 udp dport 3478 accept comment "pathcheck"'`);
    expect(r.err).toMatch(/finds the dropping chains when it runs/);
    const empty = await rules(reportWith({ dropChains: [] }), 'nftables');
    expect(empty.out).toContain('nft -j list ruleset | jq -r');
  });

  it.each(['nftables', 'iptables', 'auto'])(
    'ufw manages the computer: --target %s gives ufw commands, saying why',
    async (t) => {
      const r = await rules(reportWith({ engines: [engine('nftables'), engine('ufw')], dropChains: [] }), t);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^ufw allow out proto udp to 192\.0\.2\.10 port 3478 comment pathcheck$/m);
      expect(r.out).toMatch(/^ufw allow out proto udp to 2001:db8::10 port 3478 comment pathcheck$/m);
      expect(r.out).not.toMatch(/^(nft|iptables) /m);
      expect(r.out).toMatch(/^# Pathcheck: Asked for .*ufw manages this computer's firewall/m);
      expect(r.out).toMatch(/^[\x20-\x7e\n]*$/);
      expect(r.err).toMatch(new RegExp(`--target ${t} gives ufw here: ufw manages`));
    },
  );

  it('firewalld manages the computer: firewall-cmd commands and a reload', async () => {
    const r = await rules(
      reportWith({
        engines: [engine('nftables'), engine('firewalld')],
        dropChains: [{ family: 'inet', table: 'firewalld', chain: 'filter_OUTPUT' }],
      }),
      'nftables',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="192.0.2.10" port port="3478" protocol="udp" accept'`,
    );
    expect(r.out).toMatch(/^firewall-cmd --reload$/m);
    expect(r.err).toMatch(/firewalld manages this computer/);
    expect(r.err).toMatch(/inet firewalld filter_OUTPUT also drops, but it belongs to firewalld/);
  });

  it('ufw active but the drop is in an nftables table of its own: nft rules, and a word about ufw', async () => {
    const r = await rules(reportWith({ engines: [engine('nftables'), engine('ufw')] }), 'auto');
    expect(r.out).toContain('insert rule inet hbfw out ip daddr 192.0.2.10');
    expect(r.err).toMatch(
      /ufw also manages this computer: if it denies this traffic too, add its commands as well \(--target ufw\)/,
    );
  });

  it('an inactive ufw does not take over', async () => {
    const r = await rules(reportWith({ engines: [engine('nftables'), engine('ufw', false)] }), 'nftables');
    expect(r.out).toContain('insert rule inet hbfw out');
    expect(r.err).not.toMatch(/gives ufw/);
  });

  it('a drop only in iptables-legacy: iptables-legacy commands, also when nftables was asked for', async () => {
    const local = {
      engines: [engine('nftables', false), engine('iptables-legacy'), engine('iptables-nft', false)],
      dropChains: [],
    };
    for (const t of ['iptables', 'nftables', 'auto']) {
      const r = await rules(reportWith(local), t);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(
        /^ins iptables-legacy -I OUTPUT -p udp -d 192\.0\.2\.10 --dport 3478 -m comment --comment pathcheck -j ACCEPT$/m,
      );
      expect(r.out).toMatch(/^ins ip6tables-legacy -I OUTPUT -p udp -d 2001:db8::10 --dport 3478 /m);
      expect(r.out).not.toMatch(/^iptables -I/m);
      if (t === 'iptables') expect(r.err).not.toMatch(/gives iptables/);
      else expect(r.err).toMatch(/nft cannot see/);
    }
  });

  it('iptables asked for while the drop is in an nftables table of its own: nft rules, saying why', async () => {
    const r = await rules(reportWith({}), 'iptables');
    expect(r.out).toContain('insert rule inet hbfw out');
    expect(r.err).toMatch(/the drop is in inet hbfw out, an nftables table that iptables rules cannot open/);
  });

  it('the drop in iptables-nft\u2019s own table (ip filter OUTPUT): iptables-nft commands', async () => {
    const r = await rules(reportWith({ dropChains: [{ family: 'ip', table: 'filter', chain: 'OUTPUT' }] }), 'iptables');
    expect(r.out).toMatch(/^ins iptables-nft -I OUTPUT -p udp -d 192\.0\.2\.10 /m);
  });

  it('an engine name with shell text is only compared, never printed, and manages nothing', async () => {
    const r = await rules(reportWith({ engines: [engine('ufw"; reboot #'), engine('nftables')] }), 'nftables');
    expect(r.code).toBe(0);
    expect(r.out).toContain('insert rule inet hbfw out');
    expect(`${r.out}${r.err}`).not.toContain('reboot');
  });

  const hostile: Array<[string, Partial<LocalFirewall>, string]> = [
    [
      'a chain name with a space',
      { dropChains: [{ family: 'inet', table: 'hbfw', chain: 'out accept' }] },
      'firewall.local.dropChains[0].chain',
    ],
    [
      'a chain name with quotes',
      { dropChains: [{ family: 'inet', table: 'hbfw', chain: 'o"u\'t' }] },
      'firewall.local.dropChains[0].chain',
    ],
    [
      'a table name with a newline',
      {
        dropChains: [
          { family: 'inet', table: 'hbfw', chain: 'out' },
          { family: 'ip', table: 'x\nflush ruleset', chain: 'out' },
        ],
      },
      'firewall.local.dropChains[1].table',
    ],
    [
      'a table name with shell text',
      { dropChains: [{ family: 'inet', table: '$(reboot)', chain: 'out' }] },
      'firewall.local.dropChains[0].table',
    ],
    [
      'a table name starting with a digit',
      { dropChains: [{ family: 'inet', table: '1table', chain: 'out' }] },
      'firewall.local.dropChains[0].table',
    ],
  ];
  for (const target of ['nftables', 'iptables', 'ufw', 'firewalld', 'auto']) {
    it.each(hostile)(`${target}: %s is refused, naming the field, nothing printed`, async (_what, local, field) => {
      const r = await rules(reportWith(local), target);
      expect(r.code).toBe(65);
      expect(r.out).toBe('');
      expect(r.err).toContain(field);
    });
  }

  /** Hostile hosts and ports elsewhere in the report, for the same Linux targets. */
  const hostileData: Array<[string, (r: Report) => void, string]> = [
    [
      'a destination with shell text',
      (r) => (r.firewall.blocked[0]!.to[0] = '192.0.2.10; reboot'),
      'firewall.blocked[0].to[0]',
    ],
    ['a destination with a quote', (r) => (r.firewall.blocked[0]!.to[0] = "192.0.2.10'"), 'firewall.blocked[0].to[0]'],
    [
      'a destination with a newline',
      (r) => (r.firewall.blocked[1]!.to[0] = 'a.example\nufw disable'),
      'firewall.blocked[1].to[0]',
    ],
    [
      'a destination with a space',
      (r) => (r.firewall.blocked[0]!.to[1] = '2001:db8::10 any'),
      'firewall.blocked[0].to[1]',
    ],
    ['a check host with $(…)', (r) => (r.checks.find((c) => c.kind === 'turn')!.host = '$(id).example'), '].host'],
  ];
  function reportChanged(change: (r: Report) => void): string {
    const r = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Report;
    change(r);
    const file = join(mkdtempSync(join(tmpdir(), 'pc-rules-linux-')), 'report.json');
    writeFileSync(file, JSON.stringify(r));
    return file;
  }
  for (const target of ['nftables', 'iptables', 'ufw', 'firewalld', 'auto']) {
    it.each(hostileData)(
      `${target}: %s is refused, naming the field, nothing printed`,
      async (_what, change, field) => {
        const r = await rules(reportChanged(change), target);
        expect(r.code, r.out).toBe(65);
        expect(r.out).toBe('');
        expect(r.err).toContain(field);
      },
    );
  }
});
