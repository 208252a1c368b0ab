import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHost } from '#node/probes/dns';
import { tcpConnect } from '#node/probes/tcp';
import { tlsHandshake } from '#node/probes/tls';
import { discoverRanges } from '#node/range/discover';
import { createTcpRangeProbe } from '#node/range/tcp-probe';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { makeTestPki, type TestPki } from '#test/support/test-ca';
import { closedPort, connectProxy, resetServer, silentServer, tlsServer, type TestServer } from './servers';

const skip = missingPrereqs('probe handle leaks', [prereqs.openssl]);

function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}
const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** Waits (up to `ms`) for the count to come back to `target`: closes and timers settle asynchronously. */
async function settle(target: number, ms: number): Promise<Record<string, number>> {
  const end = Date.now() + ms;
  let now = resources();
  while (total(now) > target && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    now = resources();
  }
  await new Promise((r) => setImmediate(r));
  return resources();
}

describe.skipIf(skip !== null)('no handles are left behind', () => {
  let profile: TestPki;
  let rogue: TestPki;
  const servers: TestServer[] = [];
  let good: TestServer;
  let intercepting: TestServer;
  let silent: TestServer;
  let reset: TestServer;
  let proxy: Awaited<ReturnType<typeof connectProxy>>;
  let refusedPort = 0;

  beforeAll(async () => {
    profile = makeTestPki(['turn.test', '127.0.0.1'], 'Pathcheck Test CA');
    rogue = makeTestPki(['turn.test', '127.0.0.1'], 'Corp Inspection CA');
    good = await tlsServer(profile.keyPem, profile.certPem + profile.caPem);
    intercepting = await tlsServer(rogue.keyPem, rogue.certPem + rogue.caPem);
    silent = await silentServer();
    reset = await resetServer();
    proxy = await connectProxy({ allowPorts: [good.port] });
    servers.push(good, intercepting, silent, reset, proxy);
    refusedPort = await closedPort();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    for (const p of [profile, rogue]) if (p) rmSync(p.dir, { recursive: true, force: true });
  });

  it('handle count is unchanged after 100+ probe runs against friendly and hostile servers', async () => {
    const before = await settle(0, 200);
    const p = { host: '127.0.0.1', port: proxy.port };
    const reasons: string[] = [];
    let runs = 0;
    for (let round = 0; round < 10; round++) {
      const batch = await Promise.all([
        tlsHandshake('127.0.0.1', good.port, { deadlineMs: 3000, servername: 'turn.test', ca: profile.caPem }),
        tlsHandshake('127.0.0.1', intercepting.port, { deadlineMs: 3000, servername: 'turn.test', ca: profile.caPem }),
        tlsHandshake('127.0.0.1', good.port, { deadlineMs: 3000, servername: 'wrong.test', ca: profile.caPem }),
        tlsHandshake('127.0.0.1', silent.port, { deadlineMs: 100 }),
        tlsHandshake('127.0.0.1', reset.port, { deadlineMs: 3000 }),
        tlsHandshake('127.0.0.1', good.port, {
          deadlineMs: 3000,
          servername: 'turn.test',
          ca: profile.caPem,
          proxy: p,
        }),
        tlsHandshake('127.0.0.1', silent.port, { deadlineMs: 3000, signal: AbortSignal.timeout(30) }),
        tcpConnect('127.0.0.1', refusedPort, { deadlineMs: 3000 }),
        tcpConnect('127.0.0.1', 3478, { deadlineMs: 3000, proxy: p }),
        tcpConnect('127.0.0.1', silent.port, { deadlineMs: 3000 }),
        resolveHost('localhost', { deadlineMs: 3000 }),
      ]);
      runs += batch.length;
      reasons.push(...batch.map((b) => b.reason));
      const { probe } = createTcpRangeProbe('127.0.0.1', { perProbeMs: 1000 });
      await discoverRanges({
        required: [
          [silent.port, silent.port],
          [refusedPort, refusedPort],
        ],
        probe,
        deadlineMs: 3000,
      });
      runs++;
    }
    expect(runs).toBeGreaterThanOrEqual(100);
    // The runs really hit each hostile case (the test can fail if a probe misbehaves).
    expect(new Set(reasons)).toEqual(
      new Set([
        'ok',
        'tls-intercepted',
        'tls-hostname-mismatch',
        'timeout',
        'tls-failed',
        'aborted',
        'refused',
        'proxy-refused',
      ]),
    );
    const after = await settle(total(before), 5000);
    expect(after).toEqual(before);
  });
});
