import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIREWALL_TARGETS } from '#common/firewall/index';
import { main } from '#node/cli/command';
import type { Report } from '#common/report/schema';
import { captureIo } from './io';

/**
 * A report from another machine: a self-hosted stack with a profile id no built-in has, servers
 * given by IP address, and the local drop in an nftables table of its own (`inet hbfw out`). The
 * network admin has only this file; `rules --from` must produce rules for every target from it.
 */
const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/reports/other-machine.json');
const tmp = () => mkdtempSync(join(tmpdir(), 'pc-rules-'));
const withChanges = (change: (r: Report) => void): string => {
  const r = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Report;
  change(r);
  const file = join(tmp(), 'report.json');
  writeFileSync(file, JSON.stringify(r));
  return file;
};

describe('rules --from a report alone (no profile)', () => {
  it.each(FIREWALL_TARGETS.map((t) => [t.id, t.kind] as const))(
    '%s: rules from the report\u2019s own destinations',
    async (target, kind) => {
      const io = captureIo();
      expect(await main(['rules', '--from', FIXTURE, '--target', target], io)).toBe(0);
      expect(io.out().length).toBeGreaterThan(0);
      // Proxy targets (PAC, squid) tunnel names/addresses of relays; every other target opens the addresses.
      expect(io.out()).toContain('192.0.2.10');
      if (kind !== 'proxy') expect(io.out()).toMatch(/3478/);
      expect(io.err()).toContain('rules from the report alone');
      expect(io.err()).not.toContain('no built-in profile');
    },
  );

  it('nftables inserts into the chain the report found dropping, not inet filter output', async () => {
    const io = captureIo();
    expect(await main(['rules', '--from', FIXTURE, '--target', 'nftables'], io)).toBe(0);
    expect(io.out()).toContain(
      'insert rule inet hbfw out ip daddr 192.0.2.10 udp dport 3478 accept comment "pathcheck"',
    );
    expect(io.out()).toContain(
      'insert rule inet hbfw out ip6 daddr 2001:db8::10 udp dport 3478 accept comment "pathcheck"',
    );
    expect(io.out()).not.toContain('inet filter output');
  });

  it('an older report without firewall.local still works, with a note', async () => {
    const io = captureIo();
    expect(
      await main(
        [
          'rules',
          '--from',
          withChanges((r) => {
            delete r.firewall.local;
          }),
          '--target',
          'nftables',
        ],
        io,
      ),
    ).toBe(0);
    expect(io.out()).toContain('192.0.2.10');
    expect(io.err()).toContain('does not say what the diagnosed computer');
  });

  it.each([
    [
      'a destination with shell text',
      (r: Report) => (r.firewall.blocked[0]!.to[0] = '192.0.2.10; rm -rf /'),
      'firewall.blocked[0].to[0]',
    ],
    [
      'a drop chain with nft syntax in its name',
      (r: Report) => (r.firewall.local!.dropChains[0]!.table = 'hbfw; flush ruleset'),
      'firewall.local.dropChains[0].table',
    ],
    [
      'a relay name with a newline',
      (r: Report) => (r.checks[3]!.host = 'turn.example.com\ninsert rule'),
      'checks[3].host',
    ],
    [
      'a check port out of range',
      (r: Report) => (r.firewall.blocked[1]!.ports = [[443, 70000]]),
      'firewall.blocked[1]',
    ],
  ])('%s is refused, naming the field, with nothing printed', async (_what, change, field) => {
    const io = captureIo();
    const code = await main(['rules', '--from', withChanges(change), '--target', 'nftables'], io);
    expect(code).toBe(65);
    expect(io.out()).toBe('');
    expect(io.err()).toContain(field);
  });
});
