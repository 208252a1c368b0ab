import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '#common/report/schema';
import {
  checkStatus,
  cli,
  CLI_ARGV,
  dropNs,
  inNs,
  makeNs,
  NO_PROXY,
  startStun,
  type Ns,
} from '#test/support/netns-cli';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';

/**
 * The CLI end to end inside network namespaces this test creates (pc-fx-<random>, always deleted),
 * each with a STUN server (coturn) on a namespace-local address and a self-hosted profile that
 * names it by IP address:
 *  - `fix`: a UDP drop in an nftables table of another name (`inet hbfw out`): blocked → fix --yes
 *    → the re-check passes → fix --undo --yes → blocked again, with exactly the tagged rules added
 *    and removed;
 *  - `rules` as printed: the report `diagnose --json` wrote drives `rules --target nftables` (the
 *    drop in `inet hbfw`) and `rules --target iptables` (iptables as the engine); the printed
 *    output is run as it is, and a fresh diagnosis passes.
 * Only addresses inside the namespaces are used; the host's ruleset is never touched.
 */
const jq = { name: 'jq', present: () => hasCommand('jq'), install: 'apt-get install jq' };
const iptables = { name: 'iptables', present: () => hasCommand('iptables'), install: 'apt-get install iptables' };
const skip = missingPrereqs('pathcheck fix in a netns', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  jq,
  iptables,
]);

const STUN = 'stun:udp:10.203.9.1:3478';

const tagged = (ns: Ns): string[] =>
  inNs(ns, 'nft', 'list', 'ruleset')
    .split('\n')
    .filter((l) => l.includes('"pathcheck"'))
    .map((l) => l.trim());
const stunStatus = (file: string): string | undefined => checkStatus(file, STUN);

describe.skipIf(skip)('pathcheck fix and rules as printed, in private namespaces', () => {
  let dir: string;
  let profile: string;
  const spaces: Ns[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pc-fx-'));
    profile = join(dir, 'hb.json');
    writeFileSync(
      profile,
      JSON.stringify({
        schemaVersion: 1,
        id: 'hb-selfhosted',
        name: 'HB self-hosted',
        stun: [{ host: '10.203.9.1', port: 3478 }],
        group: { udpPorts: [[3478, 3478]] },
      }),
    );
  });
  afterAll(() => {
    for (const ns of spaces) dropNs(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('blocked → fix --yes → passes → fix --undo --yes → blocked again (drop in inet hbfw)', async () => {
    const ns = makeNs('10.203.9.1');
    spaces.push(ns);
    await startStun(ns, dir);
    inNs(ns, 'nft', 'add', 'table', 'inet', 'hbfw');
    inNs(ns, 'nft', 'add', 'chain', 'inet', 'hbfw', 'out', '{ type filter hook output priority 0; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'inet', 'hbfw', 'out', 'udp', 'dport', '3478', 'drop');

    // Without --yes: the plan in words, nothing changed.
    const dry = cli(ns, 'fix', '--profile', profile, '--deadline-ms', '3000');
    expect(dry.code, dry.err).toBe(1);
    expect(dry.out).toContain(
      'insert rule inet hbfw out ip daddr { 10.203.9.1 } udp dport { 3478 } accept comment "pathcheck"',
    );
    expect(dry.out).toContain('failed at once (EPERM)');
    expect(dry.out).toContain('this computer\u2019s firewall');
    expect(dry.out).toContain('Nothing was changed');
    expect(tagged(ns)).toEqual([]);

    const fixed = cli(
      ns,
      'fix',
      '--profile',
      profile,
      '--yes',
      '--deadline-ms',
      '3000',
      '--json',
      join(dir, 'fix.json'),
    );
    expect(fixed.code, `${fixed.out}\n${fixed.err}`).toBe(0);
    expect(fixed.out).toContain(`${STUN}: fail \u2192 pass`);
    expect(tagged(ns)).toHaveLength(1);
    const doc = JSON.parse(readFileSync(join(dir, 'fix.json'), 'utf8')) as {
      exitCode: number;
      rerun: Array<{ id: string; after: string }>;
    };
    expect(doc.exitCode).toBe(0);
    expect(doc.rerun.find((r) => r.id === STUN)?.after).toBe('pass');

    const undone = cli(ns, 'fix', '--undo', '--yes', '--profile', profile, '--deadline-ms', '3000');
    expect(undone.code, undone.err).toBe(0);
    expect(undone.out).toContain('Removed 1 rule(s)');
    expect(tagged(ns)).toEqual([]);
    expect(inNs(ns, 'nft', 'list', 'chain', 'inet', 'hbfw', 'out')).toContain('udp dport 3478 drop');

    const again = cli(
      ns,
      'diagnose',
      '--profile',
      profile,
      '--deadline-ms',
      '3000',
      '--quiet',
      '--json',
      join(dir, 'again.json'),
    );
    expect(again.code).toBe(3);
    expect(stunStatus(join(dir, 'again.json'))).toBe('fail');
  });

  it('fix --from a report whose profile is not built in re-checks with the servers the report names', async () => {
    const ns = makeNs('10.203.9.1');
    spaces.push(ns);
    await startStun(ns, dir);
    inNs(ns, 'nft', 'add', 'table', 'inet', 'hbfw');
    inNs(ns, 'nft', 'add', 'chain', 'inet', 'hbfw', 'out', '{ type filter hook output priority 0; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'inet', 'hbfw', 'out', 'udp', 'dport', '3478', 'drop');
    const report = join(dir, 'custom-report.json');
    expect(cli(ns, 'diagnose', '--profile', profile, '--deadline-ms', '3000', '--quiet', '--json', report).code).toBe(
      3,
    );
    // No --profile: "hb-selfhosted" is no built-in profile.
    const fixed = cli(ns, 'fix', '--from', report, '--yes', '--json', join(dir, 'custom-fix.json'));
    expect(fixed.code, `${fixed.out}\n${fixed.err}`).toBe(0);
    expect(fixed.out).toContain('Re-checking with the servers the report\u2019s checks name');
    expect(fixed.out).toContain(`${STUN}: fail \u2192 pass`);
    expect(fixed.out).not.toContain('Re-check skipped');
    const doc = JSON.parse(readFileSync(join(dir, 'custom-fix.json'), 'utf8')) as {
      rerun: Array<{ id: string; after: string }>;
    };
    expect(doc.rerun).toContainEqual({ id: STUN, before: 'fail', after: 'pass' });
    expect(cli(ns, 'fix', '--undo', '--yes', '--from', report).code).toBe(0);
    expect(tagged(ns)).toEqual([]);
  });

  it('--yes without root and without pkexec: a clear error, nothing changed', async () => {
    const ns = makeNs('10.203.9.1');
    spaces.push(ns);
    await startStun(ns, dir);
    inNs(ns, 'nft', 'add', 'table', 'inet', 'hbfw');
    inNs(ns, 'nft', 'add', 'chain', 'inet', 'hbfw', 'out', '{ type filter hook output priority 0; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'inet', 'hbfw', 'out', 'udp', 'dport', '3478', 'drop');
    const r = cli(
      ns,
      'diagnose',
      '--profile',
      profile,
      '--deadline-ms',
      '3000',
      '--quiet',
      '--json',
      join(dir, 'r.json'),
    );
    expect(r.code).toBe(3);
    // As nobody (pkexec is not installed here; the test asserts that below) (setpriv drops to uid 65534 inside the namespace).
    expect(hasCommand('pkexec'), 'this check needs a machine without pkexec').toBe(false);
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'r.json'), 0o644);
    let out: { code: number; err: string };
    try {
      execFileSync(
        'ip',
        [
          'netns',
          'exec',
          ns.name,
          'setpriv',
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          'env',
          'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
          ...CLI_ARGV,
          'fix',
          '--from',
          join(dir, 'r.json'),
          '--yes',
        ],
        { encoding: 'utf8', env: { ...process.env, ...NO_PROXY, HOME: dir }, cwd: dir },
      );
      out = { code: 0, err: '' };
    } catch (e) {
      const x = e as { status: number; stderr: string };
      out = { code: x.status, err: x.stderr };
    }
    expect(out.code, out.err).toBe(77);
    expect(out.err).toContain('nothing was changed');
    expect(tagged(ns)).toEqual([]);
  });

  it('rules --target nftables from the report, run as printed (nft -f), opens the drop in inet hbfw', async () => {
    const ns = makeNs('10.203.9.1');
    spaces.push(ns);
    await startStun(ns, dir);
    inNs(ns, 'nft', 'add', 'table', 'inet', 'hbfw');
    inNs(ns, 'nft', 'add', 'chain', 'inet', 'hbfw', 'out', '{ type filter hook output priority 0; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'inet', 'hbfw', 'out', 'udp', 'dport', '3478', 'drop');
    const report = join(dir, 'nft-report.json');
    expect(cli(ns, 'diagnose', '--profile', profile, '--deadline-ms', '3000', '--quiet', '--json', report).code).toBe(
      3,
    );
    const r = JSON.parse(readFileSync(report, 'utf8')) as Report;
    expect(r.firewall.local?.dropChains).toEqual([{ family: 'inet', table: 'hbfw', chain: 'out' }]);
    const rules = cli(ns, 'rules', '--from', report, '--target', 'nftables');
    expect(rules.code, rules.err).toBe(0);
    writeFileSync(join(dir, 'rules.nft'), rules.out);
    inNs(ns, 'nft', '-f', join(dir, 'rules.nft'));
    const after = join(dir, 'nft-after.json');
    cli(ns, 'diagnose', '--profile', profile, '--deadline-ms', '3000', '--quiet', '--json', after);
    expect(stunStatus(after)).toBe('pass');
  });

  it('rules --target iptables from the report, run as printed (sh), opens an iptables drop', async () => {
    const ns = makeNs('10.203.9.1');
    spaces.push(ns);
    await startStun(ns, dir);
    inNs(ns, 'iptables', '-A', 'OUTPUT', '-p', 'udp', '--dport', '3478', '-j', 'DROP');
    const report = join(dir, 'ipt-report.json');
    expect(cli(ns, 'diagnose', '--profile', profile, '--deadline-ms', '3000', '--quiet', '--json', report).code).toBe(
      3,
    );
    expect(stunStatus(report)).toBe('fail');
    const rules = cli(ns, 'rules', '--from', report, '--target', 'iptables');
    expect(rules.code, rules.err).toBe(0);
    writeFileSync(join(dir, 'rules.sh'), rules.out);
    inNs(ns, 'sh', join(dir, 'rules.sh'));
    const after = join(dir, 'ipt-after.json');
    cli(ns, 'diagnose', '--profile', profile, '--deadline-ms', '3000', '--quiet', '--json', after);
    expect(stunStatus(after)).toBe('pass');
  });
});
