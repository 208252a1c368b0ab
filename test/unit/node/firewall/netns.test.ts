import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirewallInput, buildNftApplyPlan } from '#common/firewall/index';
import { applyLinuxPlan } from '#node/firewall/apply';
import { classifyLayer, detectLocalFirewall } from '#node/firewall/detect';
import { runFile, type Runner } from '#node/firewall/run';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';
import { sampleProfile, sampleReport } from '../../common/firewall/fixtures';

/**
 * End to end inside a network namespace this test creates (pc-fw-<random>, always deleted): a
 * local nft output drop of UDP 3478 makes a UDP send fail at once with EPERM; detection reports
 * the dropping chain; apply-linux.sh with the generated plan lets the send through; undo brings
 * the EPERM back. Only addresses inside the namespace are used; the host's ruleset is never touched.
 */
const jq = { name: 'jq', present: () => hasCommand('jq'), install: 'apt-get install jq' };
const skip = missingPrereqs('firewall apply/undo in a netns', [prereqs.root, prereqs.ip, prereqs.nft, jq]);

const ns = `pc-fw-${randomBytes(4).toString('hex')}`;
const V4 = '10.201.77.1';
const V6 = 'fd00:201:77::1';
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
const inNs = (file: string, ...args: string[]): string =>
  execFileSync('ip', ['netns', 'exec', ns, file, ...args], { encoding: 'utf8' });
/** Runs every command of detection/apply inside the namespace (argv stays an array). */
const nsRunner: Runner = (file, args, opts) => runFile('ip', ['netns', 'exec', ns, file, ...args], opts);

/** Fixed program: one UDP datagram to argv[1]:argv[2] from an unconnected socket; prints ok or the error code. */
const SEND = `
const dgram = require('node:dgram');
const [host, port] = process.argv.slice(1);
const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
s.send(Buffer.from('pathcheck'), Number(port), host, (err) => { console.log(err ? err.code : 'ok'); s.close(); });
`;
const send = (host: string, port: number): string => inNs(process.execPath, '-e', SEND, host, String(port)).trim();

describe.skipIf(skip)('apply/undo in a network namespace', () => {
  beforeAll(() => {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    // Namespace-local addresses on its own loopback (no dummy module on these kernels).
    ip('-n', ns, 'addr', 'add', `${V4}/32`, 'dev', 'lo');
    ip('-n', ns, '-6', 'addr', 'add', `${V6}/128`, 'dev', 'lo');
    inNs('nft', 'add', 'table', 'inet', 'filter');
    inNs('nft', 'add', 'chain', 'inet', 'filter', 'output', '{ type filter hook output priority 0; policy accept; }');
    inNs('nft', 'add', 'rule', 'inet', 'filter', 'output', 'udp', 'dport', '3478', 'drop');
  });
  afterAll(() => {
    try {
      ip('netns', 'del', ns);
    } catch {
      /* already gone */
    }
  });

  it('drop → EPERM; apply → send passes; undo → EPERM again; detection names the chain', async () => {
    expect(send(V4, 3478)).toBe('EPERM');
    expect(send(V6, 3478)).toBe('EPERM');
    expect(send(V4, 3479)).toBe('ok'); // control: only 3478 is dropped

    const det = await detectLocalFirewall({ platform: 'linux', run: nsRunner });
    expect(det.dropChains.map((c) => [c.family, c.table, c.chain])).toEqual([['inet', 'filter', 'output']]);
    expect(det.dropChains[0]?.drops).toEqual([{ protocol: 'udp', ports: [[3478, 3478]], verdict: 'drop' }]);
    expect(classifyLayer({ transport: 'udp', port: 3478, reason: 'error', evidence: { code: 'EPERM' } }, det)).toBe(
      'local',
    );
    expect(classifyLayer({ transport: 'udp', port: 3479, reason: 'timeout' }, det)).toBe('perimeter');

    const [chain] = det.dropChains;
    const input = buildFirewallInput(
      sampleProfile({ addresses: { ipv4: ['10.201.77.0/24'], ipv6: ['fd00:201:77::/64'] } }),
      sampleReport([
        {
          protocol: 'udp',
          ports: [[3478, 3478]],
          to: [],
          purpose: 'TURN over UDP',
          checks: ['turn:udp:turn.example.com:3478'],
          layer: 'local',
        },
      ]),
      { nft: chain ? { family: chain.family, table: chain.table, chain: chain.chain } : undefined },
    );
    const plan = buildNftApplyPlan(input);

    const applied = await applyLinuxPlan(plan, 'apply', { run: nsRunner, isRoot: true });
    expect(applied.error).toBeNull();
    expect(applied.added).toHaveLength(2);
    expect(send(V4, 3478)).toBe('ok');
    expect(send(V6, 3478)).toBe('ok');

    // Applying again replaces rather than duplicates.
    const again = await applyLinuxPlan(plan, 'apply', { run: nsRunner, isRoot: true });
    expect(again.removed).toHaveLength(2);
    expect(inNs('nft', 'list', 'chain', 'inet', 'filter', 'output').match(/comment "pathcheck"/g)).toHaveLength(2);

    const undone = await applyLinuxPlan(plan, 'undo', { run: nsRunner, isRoot: true });
    expect(undone.removed.map((c) => c.handle).sort()).toEqual(again.added.map((c) => c.handle).sort());
    expect(send(V4, 3478)).toBe('EPERM');
    expect(send(V6, 3478)).toBe('EPERM');
    const left = inNs('nft', 'list', 'chain', 'inet', 'filter', 'output');
    expect(left).not.toMatch(/pathcheck/);
    expect(left).toMatch(/udp dport 3478 drop/);
  });

  it('a drop in another table (as ufw or firewalld make) is opened too: an accept only ends its own base chain', async () => {
    inNs('nft', 'add', 'table', 'ip', 'corp');
    inNs('nft', 'add', 'chain', 'ip', 'corp', 'egress', '{ type filter hook output priority 10; policy accept; }');
    inNs('nft', 'add', 'rule', 'ip', 'corp', 'egress', 'udp', 'dport', '3478', 'drop');
    try {
      // The app, unprivileged, could not read the ruleset: the plan asks the script to find the dropping chains.
      const plan = buildNftApplyPlan(
        buildFirewallInput(
          sampleProfile({ addresses: { ipv4: ['10.201.77.0/24'], ipv6: ['fd00:201:77::/64'] } }),
          sampleReport([
            {
              protocol: 'udp',
              ports: [[3478, 3478]],
              to: [],
              purpose: 'TURN over UDP',
              checks: ['turn:udp:turn.example.com:3478'],
              layer: 'local',
            },
          ]),
        ),
      );
      expect(send(V4, 3478)).toBe('EPERM');
      const applied = await applyLinuxPlan(plan, 'apply', { run: nsRunner, isRoot: true });
      expect(applied.error).toBeNull();
      // inet filter output: v4 + v6 rules; ip corp egress: the v4 rule only (an ip table sees no IPv6).
      expect(applied.added.map((c) => `${c.family} ${c.table} ${c.chain}`).sort()).toEqual([
        'inet filter output',
        'inet filter output',
        'ip corp egress',
      ]);
      expect(send(V4, 3478)).toBe('ok');
      const undone = await applyLinuxPlan(plan, 'undo', { run: nsRunner, isRoot: true });
      expect(undone.removed.map((c) => c.handle).sort()).toEqual(applied.added.map((c) => c.handle).sort());
      expect(send(V4, 3478)).toBe('EPERM');
      expect(inNs('nft', 'list', 'ruleset')).not.toMatch(/pathcheck/);
    } finally {
      inNs('nft', 'delete', 'table', 'ip', 'corp');
    }
  });
});
