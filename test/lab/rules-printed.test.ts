// Issue 11: the Linux outputs of `pathcheck rules --from report.json` work as printed on the
// diagnosed computer. In private namespaces (test/support/netns-cli.ts: a STUN server on a
// namespace address, a self-hosted profile naming it by IP address), each drop is made, diagnosed,
// the printed output is run exactly as printed, a fresh diagnosis shows the blocked check passing,
// the printed undo (`rules --undo`) runs, and a fresh diagnosis shows it blocked again:
//  - two dropping chains in tables of other names (inet hbfw out, ip corp egress), from the report;
//  - the same drop with a report that did not see the chains (the script finds them when it runs);
//  - iptables-legacy as the engine (nft cannot see it; the output names iptables-legacy);
//  - iptables-nft as the engine (iptables-nft -I OUTPUT).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '#common/report/schema';
import { checkStatus, cli, dropNs, inNs, makeNs, startStun, type Ns } from '#test/support/netns-cli';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';

const need = (cmd: string) => ({ name: cmd, present: () => hasCommand(cmd), install: 'apt-get install iptables jq' });
const skip = missingPrereqs('rules as printed in private namespaces', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  need('jq'),
  need('iptables-legacy'),
  need('iptables-nft'),
]);
const ADDR = '10.203.9.1';
const STUN = `stun:udp:${ADDR}:3478`;

describe.skipIf(skip)('rules --from a report, run as printed on the diagnosed computer', () => {
  let dir: string;
  let profile: string;
  const spaces: Ns[] = [];
  let n = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pc-printed-'));
    profile = join(dir, 'hb.json');
    writeFileSync(
      profile,
      JSON.stringify({
        schemaVersion: 1,
        id: 'hb-selfhosted',
        name: 'HB self-hosted',
        stun: [{ host: ADDR, port: 3478 }],
        group: { udpPorts: [[3478, 3478]] },
      }),
    );
  });
  afterAll(() => {
    for (const ns of spaces) dropNs(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  async function withStun(): Promise<Ns> {
    const ns = makeNs(ADDR);
    spaces.push(ns);
    await startStun(ns, dir);
    return ns;
  }

  /** A diagnosis in the namespace; returns the report file and the STUN check's status. */
  function diagnose(ns: Ns): { file: string; stun: string | undefined; report: Report } {
    const file = join(dir, `r${++n}.json`);
    const r = cli(ns, 'diagnose', '--profile', profile, '--deadline-ms', '3000', '--quiet', '--json', file);
    expect([0, 1, 2, 3], r.err).toContain(r.code);
    return { file, stun: checkStatus(file, STUN), report: JSON.parse(readFileSync(file, 'utf8')) as Report };
  }

  /** `rules` from the report: what it printed (stdout) and its notes (stderr). */
  function printed(ns: Ns, report: string, target: string): { text: string; err: string } {
    const r = cli(ns, 'rules', '--from', report, '--target', target);
    expect(r.code, r.err).toBe(0);
    return { text: r.out, err: r.err };
  }

  /** Blocked → run the printed text → passes → run the printed undo → blocked again. */
  function roundTrip(ns: Ns, text: string, undo: string, run: string[]): void {
    const file = join(dir, `printed${++n}`);
    writeFileSync(file, text);
    inNs(ns, run[0]!, ...run.slice(1), file);
    expect(diagnose(ns).stun, `after running the printed output:\n${text}`).toBe('pass');
    const u = join(dir, `undo${++n}.sh`);
    writeFileSync(u, undo);
    inNs(ns, 'bash', u);
    expect(diagnose(ns).stun, 'after the undo').toBe('fail');
  }

  /** The printed undo for the same report and target (`rules --undo`). */
  function undoFor(ns: Ns, report: string, target: string): string {
    const r = cli(ns, 'rules', '--from', report, '--target', target, '--undo');
    expect(r.code, r.err).toBe(0);
    return r.out;
  }

  it('two dropping chains in tables of other names: the nft file opens both; the first alone does not', async () => {
    const ns = await withStun();
    inNs(ns, 'nft', 'add', 'table', 'inet', 'hbfw');
    inNs(ns, 'nft', 'add', 'chain', 'inet', 'hbfw', 'out', '{ type filter hook output priority 0; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'inet', 'hbfw', 'out', 'udp', 'dport', '3478', 'drop');
    inNs(ns, 'nft', 'add', 'table', 'ip', 'corp');
    inNs(ns, 'nft', 'add', 'chain', 'ip', 'corp', 'egress', '{ type filter hook output priority 10; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'ip', 'corp', 'egress', 'udp', 'dport', '3478', 'drop');
    const before = diagnose(ns);
    expect(before.stun).toBe('fail');
    expect(before.report.firewall.local?.dropChains).toEqual([
      { family: 'inet', table: 'hbfw', chain: 'out' },
      { family: 'ip', table: 'corp', chain: 'egress' },
    ]);
    const { text } = printed(ns, before.file, 'nftables');
    expect(text).toContain(`insert rule inet hbfw out ip daddr ${ADDR} udp dport 3478 accept comment "pathcheck"`);
    expect(text).toContain(`insert rule ip corp egress ip daddr ${ADDR} udp dport 3478 accept comment "pathcheck"`);

    // What an output into the first chain only (the previous behaviour) leaves: still blocked.
    const firstOnly = join(dir, 'first-only.nft');
    writeFileSync(
      firstOnly,
      text
        .split('\n')
        .filter((l) => !l.startsWith('insert rule ip corp'))
        .join('\n'),
    );
    inNs(ns, 'nft', '-f', firstOnly);
    expect(diagnose(ns).stun).toBe('fail');
    const undo = undoFor(ns, before.file, 'nftables');
    writeFileSync(join(dir, 'first-undo.sh'), undo);
    inNs(ns, 'sh', join(dir, 'first-undo.sh'));
    expect(inNs(ns, 'nft', 'list', 'ruleset')).not.toContain('pathcheck');

    roundTrip(ns, text, undo, ['nft', '-f']);
    expect(inNs(ns, 'nft', 'list', 'ruleset')).not.toContain('pathcheck');

    // pathcheck fix --undo removes exactly the printed rules too, from both chains.
    writeFileSync(join(dir, 'again.nft'), text);
    inNs(ns, 'nft', '-f', join(dir, 'again.nft'));
    const undone = cli(ns, 'fix', '--undo', '--yes', '--from', before.file);
    expect(undone.code, undone.err).toBe(0);
    expect(undone.out).toContain('Removed 2 rule(s)');
    expect(inNs(ns, 'nft', 'list', 'ruleset')).not.toContain('pathcheck');
    expect(diagnose(ns).stun).toBe('fail');
  });

  it('a report that did not see the chains: the printed script finds both dropping chains when it runs', async () => {
    const ns = await withStun();
    inNs(ns, 'nft', 'add', 'table', 'inet', 'hbfw');
    inNs(ns, 'nft', 'add', 'chain', 'inet', 'hbfw', 'out', '{ type filter hook output priority 0; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'inet', 'hbfw', 'out', 'udp', 'dport', '3478', 'drop');
    inNs(ns, 'nft', 'add', 'table', 'ip', 'corp');
    inNs(ns, 'nft', 'add', 'chain', 'ip', 'corp', 'egress', '{ type filter hook output priority 10; policy accept; }');
    inNs(ns, 'nft', 'add', 'rule', 'ip', 'corp', 'egress', 'udp', 'dport', '3478', 'drop');
    const before = diagnose(ns);
    expect(before.stun).toBe('fail');
    // As from another machine or an older version: no firewall.local.
    const r = before.report;
    delete r.firewall.local;
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify(r));
    const { text, err } = printed(ns, old, 'nftables');
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
    expect(err).toMatch(/finds the dropping chains when it runs/);
    roundTrip(ns, text, undoFor(ns, old, 'nftables'), ['bash']);
  });

  it('iptables-legacy as the engine: the output names iptables-legacy, also for --target nftables', async () => {
    const ns = await withStun();
    inNs(ns, 'iptables-legacy', '-A', 'OUTPUT', '-p', 'udp', '--dport', '3478', '-j', 'DROP');
    const before = diagnose(ns);
    expect(before.stun).toBe('fail');
    expect(before.report.firewall.local?.engines).toContainEqual({
      name: 'iptables-legacy',
      present: true,
      active: true,
    });
    const asked = printed(ns, before.file, 'nftables');
    expect(asked.err).toMatch(/--target nftables gives iptables here: the drop is in iptables-legacy/);
    const { text } = printed(ns, before.file, 'iptables');
    expect(text).toContain(
      `iptables-legacy -I OUTPUT -p udp -d ${ADDR} --dport 3478 -m comment --comment pathcheck -j ACCEPT`,
    );
    expect(text).not.toMatch(/^iptables -I/m);
    expect(asked.text).toContain(`iptables-legacy -I OUTPUT -p udp -d ${ADDR} --dport 3478`);
    roundTrip(ns, text, undoFor(ns, before.file, 'iptables'), ['sh']);
    expect(inNs(ns, 'iptables-legacy', '-S', 'OUTPUT')).toContain('--dport 3478 -j DROP');
  });

  it('iptables-nft as the engine: iptables-nft -I OUTPUT opens it', async () => {
    const ns = await withStun();
    inNs(ns, 'iptables-nft', '-A', 'OUTPUT', '-p', 'udp', '--dport', '3478', '-j', 'DROP');
    const before = diagnose(ns);
    expect(before.stun).toBe('fail');
    const { text } = printed(ns, before.file, 'iptables');
    expect(text).toContain(`iptables-nft -I OUTPUT -p udp -d ${ADDR} --dport 3478`);
    roundTrip(ns, text, undoFor(ns, before.file, 'iptables'), ['sh']);
  });
});
