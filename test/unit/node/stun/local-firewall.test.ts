/**
 * Local firewall behaviour, for real: the probes run in a child process inside a private network
 * namespace (`unshare -n`, loopback only, gone when the child exits) whose nftables output chain drops or
 * rejects chosen loopback ports. Nothing outside that namespace is touched.
 * How Linux reports a local firewall: a local drop fails UDP sends at once (EPERM) but TCP just hangs.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { hasCommand, missingPrereqs, prereqs } from '#test/support/prereq';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const skip = missingPrereqs('stun local firewall (netns)', [
  prereqs.root,
  prereqs.nft,
  { name: 'unshare (util-linux)', present: () => hasCommand('unshare'), install: 'apt-get install util-linux' },
  // runs the TypeScript probe in the child; comes with the dev toolchain
  {
    name: 'jiti (node_modules/.bin/jiti)',
    present: () => existsSync(`${root}node_modules/.bin/jiti`),
    install: 'npm install',
  },
]);
const script = fileURLToPath(new URL('../../../fixtures/stun/netns-probe.ts', import.meta.url));

const RULES = [
  'add table inet pathcheck_test',
  'add chain inet pathcheck_test out { type filter hook output priority 0; }',
  'add rule inet pathcheck_test out udp dport 9999 drop',
  'add rule inet pathcheck_test out tcp dport 9998 drop',
  'add rule inet pathcheck_test out udp dport 9994 reject',
  // the input chain plays the far side (a perimeter firewall): its ICMP/RST comes back over loopback
  'add chain inet pathcheck_test in { type filter hook input priority 0; }',
  'add rule inet pathcheck_test in udp dport 9997 reject',
  'add rule inet pathcheck_test in tcp dport 9996 reject with tcp reset',
  'add rule inet pathcheck_test in udp dport 9995 drop',
].join('\n');

function runInNetns(
  reqs: unknown[],
): Promise<Array<{ status: string; reason: string; evidence: Record<string, unknown> }>> {
  const sh = `ip link set lo up && printf '%s\\n' "$RULES" | nft -f - && exec node_modules/.bin/jiti "$SCRIPT" "$REQS"`;
  return new Promise((resolve, reject) => {
    execFile(
      'unshare',
      ['-n', 'sh', '-c', sh],
      { cwd: root, timeout: 30_000, env: { ...process.env, RULES, SCRIPT: script, REQS: JSON.stringify(reqs) } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

describe.skipIf(skip)('probes behind a local nftables rule (private netns)', () => {
  it('local drop/reject → local-blocked (UDP) or timeout (TCP); far-side drop → timeout, reject → refused', async () => {
    const [udpDrop, turnUdpDrop, tcpDrop, udpReject, tcpReject, udpFarDrop, udpLocalReject] = await runInNetns([
      { kind: 'binding', transport: 'udp', port: 9999, deadlineMs: 1500 },
      { kind: 'allocate', transport: 'udp', port: 9999, deadlineMs: 1500 },
      { kind: 'binding', transport: 'tcp', port: 9998, deadlineMs: 800 },
      { kind: 'binding', transport: 'udp', port: 9997, deadlineMs: 1500 },
      { kind: 'allocate', transport: 'tcp', port: 9996, deadlineMs: 1500 },
      { kind: 'binding', transport: 'udp', port: 9995, deadlineMs: 800 },
      { kind: 'binding', transport: 'udp', port: 9994, deadlineMs: 1500 },
    ]);
    // UDP drop: send() fails at once with EPERM
    expect(udpDrop).toMatchObject({
      status: 'fail',
      reason: 'local-blocked',
      evidence: { errno: 'EPERM', phase: 'send' },
    });
    expect(turnUdpDrop).toMatchObject({ reason: 'local-blocked', evidence: { errno: 'EPERM' } });
    // TCP drop: the SYN vanishes, connect() hangs until our deadline
    expect(tcpDrop).toMatchObject({ status: 'fail', reason: 'timeout', evidence: { phase: 'tcp-connect' } });
    // a local REJECT is still local: the send fails with EPERM
    expect(udpLocalReject).toMatchObject({ status: 'fail', reason: 'local-blocked', evidence: { errno: 'EPERM' } });
    // far-side drop: only silence
    expect(udpFarDrop).toMatchObject({ status: 'fail', reason: 'timeout', evidence: { phase: 'binding' } });
    // far-side UDP reject: ICMP port-unreachable reaches our connected socket as ECONNREFUSED
    expect(udpReject).toMatchObject({ status: 'fail', reason: 'refused', evidence: { errno: 'ECONNREFUSED' } });
    // far-side TCP reject with reset
    expect(tcpReject).toMatchObject({
      status: 'fail',
      reason: 'refused',
      evidence: { errno: 'ECONNREFUSED', phase: 'connect' },
    });
  }, 40_000);
});
