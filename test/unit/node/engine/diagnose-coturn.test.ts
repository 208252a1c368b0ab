import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfile, type Profile, type ProfileInput } from '#common/profile/schema';
import type { DiagnosisEvent } from '#common/report/progress';
import { ReportSchema } from '#common/report/schema';
import { diagnose } from '#node/engine/diagnose';
import { encodeMessage } from '#node/stun/codec';
import { StunClass, StunMethod } from '#node/stun/constants';
import { failedIds, recheck } from '#node/engine/recheck';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { startCoturn, type Coturn } from '../stun/coturn-harness';
import { activeHandles, leaked, settle } from '../stun/leak-helpers';

function profileFor(c: Coturn, patch: Partial<ProfileInput> = {}): Profile {
  const r = parseProfile({
    schemaVersion: 1,
    id: 'loopback',
    name: 'Loopback coturn',
    signaling: [{ host: '127.0.0.1', port: c.tlsPort }],
    stun: [{ host: '127.0.0.1', port: c.port }],
    turn: [
      { host: '127.0.0.1', port: c.port, transport: 'udp' },
      { host: '127.0.0.1', port: c.port, transport: 'tcp' },
      { host: '127.0.0.1', port: c.tlsPort, transport: 'tls' },
    ],
    credentials: { type: 'static', username: 'u', credential: 'p' },
    group: { mediaServers: [], udpPorts: [[10000, 60000]] },
    p2p: { udpPorts: [[10000, 65535]] },
    tls: { ca: c.caPem },
    ...patch,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
}

const skip = missingPrereqs('engine against coturn', [prereqs.coturn, prereqs.openssl]);
describe.skipIf(skip)('diagnose() against a real coturn on loopback', () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ allowLoopbackPeers: true });
  });
  afterAll(async () => coturn?.stop());

  it('a STUN server that answers only other transactions\' ids is "answered wrongly": no layer, no blocked requirement (no ticket), no public address', async () => {
    const hostile = dgram.createSocket('udp4');
    // Every request gets a well-formed Binding success, for someone else's transaction.
    const wrong = encodeMessage({
      method: StunMethod.Binding,
      cls: StunClass.successResponse,
      transactionId: new Uint8Array(12).fill(0x5a),
      attributes: [],
    });
    hostile.on('message', (_raw, rinfo) => hostile.send(wrong, rinfo.port, rinfo.address));
    await new Promise<void>((r) => hostile.bind(0, '127.0.0.1', () => r()));
    try {
      const port = (hostile.address() as AddressInfo).port;
      const report = await diagnose(profileFor(coturn, { stun: [{ host: '127.0.0.1', port }] }), {
        env: {},
        deadlineMs: 8000,
      });
      const stun = report.checks.find((c) => c.id === `stun:udp:127.0.0.1:${port}`)!;
      expect(stun).toMatchObject({ status: 'fail', reason: 'bad-response', evidence: { errno: 'wrong-transaction' } });
      expect(stun.layer).toBeUndefined();
      expect(report.firewall.blocked.flatMap((b) => b.checks)).not.toContain(stun.id);
      expect(report.findings.map((f) => f.code)).toContain('bad-response');
      expect(report.nat.publicAddress).toBeNull();
    } finally {
      hostile.close();
    }
  });

  it('open loopback: every rung measured, relay proves a high port, verdicts direct (inferred without a reflector)', async () => {
    const events: DiagnosisEvent[] = [];
    const report = await diagnose(profileFor(coturn), { env: {}, deadlineMs: 8000, onEvent: (e) => events.push(e) });
    expect(ReportSchema.safeParse(report).success).toBe(true);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId[`tls:127.0.0.1:${coturn.tlsPort}`]).toMatchObject({ status: 'pass', reason: 'ok' });
    expect(byId[`stun:udp:127.0.0.1:${coturn.port}`]).toMatchObject({ status: 'pass' });
    for (const t of ['udp', 'tcp'])
      expect(byId[`turn:${t}:127.0.0.1:${coturn.port}`]).toMatchObject({ status: 'pass', reason: 'allocated' });
    expect(byId[`turn:tls:127.0.0.1:${coturn.tlsPort}`]).toMatchObject({ status: 'pass', reason: 'allocated' });
    expect(byId[`relay:udp:127.0.0.1:${coturn.port}`]).toMatchObject({ status: 'pass' });
    expect(report.verdicts.group).toMatchObject({ path: 'direct-udp', latency: 'optimal', confidence: 'inferred' });
    expect(report.nat.mapping).toBe('none');
    expect(report.verdicts.p2p).toMatchObject({ path: 'direct-udp', confidence: 'inferred' });
    expect(report.complete).toBe(true);
    // Progress: a plan first, one event per check, a done last.
    expect(events[0]?.type).toBe('plan');
    expect(events.at(-1)?.type).toBe('done');
    expect(events.filter((e) => e.type === 'check').length).toBe(report.checks.length);
  });

  it('wrong credentials: allocations say auth-failed, the relay rung falls, the report says why', async () => {
    const report = await diagnose(profileFor(coturn), {
      env: {},
      deadlineMs: 8000,
      credentials: { username: 'u', credential: 'wrong' },
    });
    const turn = report.checks.filter((c) => c.kind === 'turn');
    expect(turn.map((c) => c.reason)).toEqual(['auth-failed', 'auth-failed', 'auth-failed']);
    expect(report.findings.map((f) => f.code)).toContain('auth-failed');
    expect(report.verdicts.group!.path).toBe('blocked');
  });

  it('recheck runs only what failed and merges it over the previous report', async () => {
    const profile = profileFor(coturn);
    const before = await diagnose(profile, {
      env: {},
      deadlineMs: 8000,
      credentials: { username: 'u', credential: 'wrong' },
    });
    const ids = failedIds(before);
    expect([...ids].sort()).toEqual(
      before.checks
        .filter((c) => c.status === 'fail')
        .map((c) => c.id)
        .sort(),
    );
    const planned: string[] = [];
    const after = await recheck(profile, before, {
      env: {},
      deadlineMs: 8000,
      onEvent: (e) => {
        if (e.type === 'plan') planned.push(...e.checks.map((c) => c.id));
      },
    });
    expect(planned.filter((id) => !id.startsWith('dns:')).sort()).toEqual([...ids].sort());
    const stunBefore = before.checks.find((c) => c.kind === 'stun')!;
    expect(after.checks.find((c) => c.kind === 'stun')).toBe(stunBefore); // untouched, not re-measured
    expect(after.checks.filter((c) => c.kind === 'turn').map((c) => c.reason)).toEqual([
      'allocated',
      'allocated',
      'allocated',
    ]);
    expect(after.verdicts.group!.path).toBe('direct-udp');
    expect(after.checks.map((c) => c.id)).toEqual(before.checks.map((c) => c.id));
  });

  it('recheck: a browser relay failure from before the change does not overrule the fresh engine pass', async () => {
    const profile = profileFor(coturn, { credentials: { type: 'none' } });
    const before = await diagnose(profile, { env: {}, deadlineMs: 8000, rooms: ['group'] });
    const udpId = `turn:udp:127.0.0.1:${coturn.port}`;
    // As the report looked before a firewall fix: TURN over UDP failed for the engine and in the app.
    before.checks = before.checks.map((c) =>
      c.id === udpId ? { ...c, status: 'fail' as const, reason: 'timeout' } : c,
    );
    before.checks.push({
      id: `webrtc:relay:udp:127.0.0.1:${coturn.port}`,
      kind: 'webrtc',
      transport: 'udp',
      host: '127.0.0.1',
      port: coturn.port,
      status: 'fail',
      reason: 'timeout',
      detail: 'no data through the relay',
      evidence: {},
    });
    const after = await recheck(profile, before, { env: {}, deadlineMs: 8000 });
    expect(after.checks.find((c) => c.id === udpId)).toMatchObject({ status: 'pass', reason: 'auth-required' });
    expect(after.checks.find((c) => c.kind === 'webrtc')).toMatchObject({ status: 'skipped', reason: 'not-rerun' });
    expect(after.verdicts.group).toMatchObject({ path: 'turn-udp' });
    expect(after.findings.map((f) => f.code)).not.toContain('engine-webrtc-disagree');
  });

  it('without credentials a 401 proves reachability: TURN rungs count, direct is not assumed', async () => {
    const report = await diagnose(profileFor(coturn, { credentials: { type: 'none' } }), { env: {}, deadlineMs: 8000 });
    expect(
      report.checks.filter((c) => c.kind === 'turn').every((c) => c.status === 'pass' && c.reason === 'auth-required'),
    ).toBe(true);
    expect(report.checks.some((c) => c.kind === 'relay')).toBe(false);
    expect(report.verdicts.group).toMatchObject({ path: 'turn-udp', latency: 'marginal', confidence: 'measured' });
  });

  it('a TLS chain from an unknown CA is reported as interception, naming the issuer', async () => {
    const report = await diagnose(profileFor(coturn, { tls: undefined }), { env: {}, deadlineMs: 8000 });
    const sig = report.checks.find((c) => c.kind === 'tls')!;
    expect(sig).toMatchObject({ status: 'fail', reason: 'tls-intercepted' });
    expect(sig.detail).toContain('Pathcheck Test CA');
    expect(report.findings.find((f) => f.code === 'tls-intercepted')?.message).toContain('Pathcheck Test CA');
  });
});

describe('diagnose() on a dead network (nothing listens, or nothing answers)', () => {
  let hole: dgram.Socket;
  let holePort = 0;
  beforeAll(async () => {
    hole = dgram.createSocket('udp4');
    hole.on('message', () => undefined); // swallows everything: a silent drop
    await new Promise<void>((r) => hole.bind(0, '127.0.0.1', r));
    holePort = (hole.address() as AddressInfo).port;
  });
  afterAll(() => hole.close());

  const dead = (port: number): Profile => {
    const r = parseProfile({
      schemaVersion: 1,
      id: 'dead',
      name: 'Dead',
      stun: [{ host: '127.0.0.1', port }],
      turn: [
        { host: '127.0.0.1', port, transport: 'udp' },
        { host: '127.0.0.1', port: 1, transport: 'tls' },
      ],
      group: { udpPorts: [[10000, 60000]] },
    });
    if (!r.ok) throw new Error('bad');
    return r.profile;
  };

  it('silence: a complete, blocked report inside the deadline — no 40 s STUN schedule', async () => {
    const t0 = performance.now();
    const report = await diagnose(dead(holePort), { env: {}, deadlineMs: 6000 });
    const took = performance.now() - t0;
    expect(report.verdicts.group).toMatchObject({ path: 'blocked', latency: 'none' });
    expect(report.checks.find((c) => c.id.startsWith('turn:udp'))).toMatchObject({
      status: 'fail',
      reason: 'timeout',
      layer: 'perimeter',
    });
    expect(took).toBeLessThan(6000 + 1500);
  });

  it('credentials that cannot be obtained become a finding, not a crash; TURN is still probed', async () => {
    const r = parseProfile({
      schemaVersion: 1,
      id: 'nts',
      name: 'NTS',
      turn: [{ host: '127.0.0.1', port: holePort, transport: 'udp' }],
      group: { udpPorts: [[10000, 60000]] },
      credentials: {
        type: 'twilio-nts',
        accountSid: `AC${'0'.repeat(32)}`,
        authToken: 't',
        apiBase: 'https://127.0.0.1:1',
      },
    });
    if (!r.ok) throw new Error('bad');
    const report = await diagnose(r.profile, { env: {}, deadlineMs: 4000, timeouts: { turn: 300 } });
    expect(report.findings.find((f) => f.code === 'credentials')?.message).toMatch(
      /could not be obtained: Could not reach the Twilio token API/,
    );
    expect(report.checks.find((c) => c.kind === 'turn')).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(report.checks.find((c) => c.kind === 'relay')).toMatchObject({
      status: 'skipped',
      reason: 'credentials-failed',
    });
  });

  it('cancel closes everything at once and returns a partial report', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const p = diagnose(dead(holePort), {
      env: {},
      deadlineMs: 30_000,
      signal: ac.signal,
      timeouts: { stun: 20_000, turn: 20_000, nat: 20_000 },
    });
    setTimeout(() => ac.abort(), 300);
    const report = await p;
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(report.complete).toBe(false);
    expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.reason)).toContain('cancelled');
  });

  it('holds no sockets after 100 diagnoses', async () => {
    await settle();
    const before = activeHandles();
    for (let i = 0; i < 100; i++) {
      await diagnose(dead(i % 2 ? holePort : 9), {
        env: {},
        deadlineMs: 2000,
        timeouts: { stun: 150, turn: 150, nat: 200, tls: 150 },
      });
    }
    await settle();
    expect(leaked(before)).toBeNull();
  }, 120_000);
});
