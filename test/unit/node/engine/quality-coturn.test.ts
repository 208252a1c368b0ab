import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProfile, type Profile, type ProfileInput } from '#common/profile/schema';
import { ReportSchema } from '#common/report/schema';
import { diagnose } from '#node/engine/diagnose';
import { planChecks } from '#node/engine/plan';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { startCoturn, type Coturn } from '../stun/coturn-harness';

/**
 * Call quality as checks of the diagnosis (docs/quality.md): planned per working path, run after the
 * check they need, one at a time, their entries in `report.quality` and each verdict's `quality`.
 */
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

describe('the plan of quality checks', () => {
  const r = parseProfile({
    schemaVersion: 1,
    id: 'p',
    name: 'P',
    stun: [{ host: 'stun.example.com', port: 3478 }],
    turn: [
      { host: 'turn.example.com', port: 443, transport: 'tls' },
      { host: 'turn.example.com', port: 3478, transport: 'udp' },
    ],
    credentials: { type: 'static', username: 'u', credential: 'p' },
    group: { udpPorts: [[10000, 60000]] },
  });
  if (!r.ok) throw new Error('bad');
  it('none without quality; with it, direct UDP first, then TURN in ladder order (UDP before TLS), ids as the report contract spells them', () => {
    expect(
      planChecks(r.profile, { rooms: ['group'], hasCredentials: true }).filter((c) => c.kind === 'quality'),
    ).toEqual([]);
    const q = planChecks(r.profile, { rooms: ['group'], hasCredentials: true, quality: { seconds: 3 } }).filter(
      (c) => c.kind === 'quality',
    );
    expect(q.map((c) => c.id)).toEqual([
      'quality:direct-udp:stun.example.com:3478',
      'quality:turn-udp:turn.example.com:3478',
      'quality:turn-tls:turn.example.com:443',
    ]);
  });
  it('without credentials only the direct echo (a relay stream needs two allocations)', () => {
    const q = planChecks(r.profile, { rooms: ['group'], hasCredentials: false, quality: { seconds: 3 } }).filter(
      (c) => c.kind === 'quality',
    );
    expect(q.map((c) => c.id)).toEqual(['quality:direct-udp:stun.example.com:3478']);
  });
});

const skip = missingPrereqs('quality checks against coturn', [prereqs.coturn, prereqs.openssl]);
describe.skipIf(skip)('diagnose() with call quality, against a real coturn on loopback', () => {
  let coturn: Coturn;
  let hole: dgram.Socket;
  let holePort = 0;
  beforeAll(async () => {
    coturn = await startCoturn({ allowLoopbackPeers: true });
    hole = dgram.createSocket('udp4');
    hole.on('message', () => undefined); // a silent drop
    await new Promise<void>((r) => hole.bind(0, '127.0.0.1', r));
    holePort = (hole.address() as AddressInfo).port;
  });
  afterAll(async () => {
    hole?.close();
    await coturn?.stop();
  });

  it('open loopback: direct echo and the UDP relay measured, TCP/TLS not needed; verdicts carry quality and say it in one sentence', async () => {
    const report = await diagnose(profileFor(coturn), { env: {}, deadlineMs: 10_000, quality: { enabled: true } });
    expect(ReportSchema.safeParse(report).success).toBe(true);
    expect(report.complete).toBe(true);
    const q = Object.fromEntries((report.quality ?? []).map((e) => [e.id, e]));
    const echoId = `quality:direct-udp:127.0.0.1:${coturn.port}`;
    const udpId = `quality:turn-udp:127.0.0.1:${coturn.port}`;
    expect(Object.keys(q).sort()).toEqual([echoId, udpId].sort());
    expect(q[echoId]).toMatchObject({ method: 'stun-echo', bandwidthMeasured: false, lossPct: 0 });
    expect(q[udpId]).toMatchObject({ method: 'turn-stream', lossPct: 0 });
    const checks = Object.fromEntries(report.checks.filter((c) => c.kind === 'quality').map((c) => [c.id, c]));
    expect(checks[udpId]).toMatchObject({ status: 'pass', reason: 'ok', transport: 'udp' });
    expect(checks[`quality:turn-tcp:127.0.0.1:${coturn.port}`]).toMatchObject({
      status: 'skipped',
      reason: 'not-needed',
    });
    expect(checks[`quality:turn-tls:127.0.0.1:${coturn.tlsPort}`]).toMatchObject({
      status: 'skipped',
      reason: 'not-needed',
    });
    // Direct UDP: loss and delay from the echo, throughput from the relay over the same link.
    const group = report.verdicts.group!;
    expect(group.path).toBe('direct-udp');
    expect(group.quality).toMatchObject({ addedLatencyMs: 0, evidence: [echoId, udpId] });
    expect(['hd-video', 'video']).toContain(group.quality!.supports);
    expect(group.summary).toMatch(
      /^Group calls will send media directly over UDP — [\d.]+ Mbit\/s, 0 % loss, \d+ ms jitter: (HD video|video) works \(MOS [\d.]+\)/,
    );
    expect(group.notes.join(' ')).toContain('If Direct UDP fails: Group calls will relay through TURN over UDP');
    // Quality checks are no firewall facts.
    expect(report.firewall.blocked.flatMap((b) => b.checks).filter((id) => id.startsWith('quality:'))).toEqual([]);
  });

  it('UDP relay silent: the TCP relay is the one measured (TLS then not needed), its added latency unknown without a baseline', async () => {
    const profile = profileFor(coturn, {
      stun: [],
      turn: [
        { host: '127.0.0.1', port: holePort, transport: 'udp' },
        { host: '127.0.0.1', port: coturn.port, transport: 'tcp' },
        { host: '127.0.0.1', port: coturn.tlsPort, transport: 'tls' },
      ],
    });
    const report = await diagnose(profile, {
      env: {},
      deadlineMs: 10_000,
      rooms: ['group'],
      quality: { enabled: true, seconds: 2 },
      timeouts: { turn: 800, relay: 800, nat: 800 },
    });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId[`quality:turn-udp:127.0.0.1:${holePort}`]).toMatchObject({ status: 'skipped', reason: 'not-needed' });
    expect(byId[`quality:direct-udp:127.0.0.1:${holePort}`]).toMatchObject({ status: 'skipped', reason: 'not-needed' });
    expect(byId[`quality:turn-tcp:127.0.0.1:${coturn.port}`]).toMatchObject({ status: 'pass' });
    expect(byId[`quality:turn-tls:127.0.0.1:${coturn.tlsPort}`]).toMatchObject({
      status: 'skipped',
      reason: 'not-needed',
    });
    expect(report.quality?.map((e) => e.path)).toEqual(['turn-tcp']);
    const group = report.verdicts.group!;
    expect(group.path).toBe('turn-tcp');
    expect(group.quality?.evidence).toEqual([`quality:turn-tcp:127.0.0.1:${coturn.port}`]);
    // No STUN in this profile and the UDP TURN server is silent: nothing to compare the relay with.
    expect(group.quality?.addedLatencyMs).toBeNull();
    expect(group.summary).toMatch(
      /^Group calls will relay through TURN over TCP — .*\. Added delay not measured \(the provider states more than 50 ms\)\.$/,
    );
  });

  it('refused credentials: no relay to measure, every relay quality check says why, no quality on the verdict', async () => {
    const report = await diagnose(profileFor(coturn), {
      env: {},
      deadlineMs: 10_000,
      credentials: { username: 'u', credential: 'wrong' },
      quality: { enabled: true },
    });
    const relay = report.checks.filter(
      (c) => c.kind === 'quality' && c.transport !== undefined && c.id.startsWith('quality:turn-'),
    );
    expect(relay.map((c) => [c.status, c.reason])).toEqual([
      ['skipped', 'not-needed'],
      ['skipped', 'not-needed'],
      ['skipped', 'not-needed'],
    ]);
    expect(relay[0]!.detail).toContain('did not pass');
    expect(report.verdicts.group!.path).toBe('blocked');
    expect(report.verdicts.group!.quality).toBeUndefined();
  });

  it('with `quality.after` (the app: the page\u2019s own tests share the link) the streams start only once it resolves; the other checks do not wait', async () => {
    let opened = false;
    const after = new Promise<void>((r) =>
      setTimeout(() => {
        opened = true;
        r();
      }, 1500),
    );
    const seen: Array<[string, boolean]> = [];
    const report = await diagnose(profileFor(coturn), {
      env: {},
      deadlineMs: 10_000,
      rooms: ['group'],
      quality: { enabled: true, after },
      onEvent: (e) => {
        if (e.type === 'check') seen.push([e.result.kind === 'quality' ? e.result.status : e.result.kind, opened]);
      },
    });
    expect(seen.filter(([k]) => k === 'pass').length).toBeGreaterThan(0); // streams were measured...
    expect(seen.filter(([k]) => k === 'pass').every(([, o]) => o)).toBe(true); // ...only once the link was free
    expect(seen.filter(([k]) => k === 'turn').every(([, o]) => !o)).toBe(true); // reachability was not held
    expect(report.quality?.length).toBeGreaterThan(0);
  });

  it('a budget beyond 10 s is refused before anything runs', async () => {
    await expect(diagnose(profileFor(coturn), { env: {}, quality: { enabled: true, seconds: 60 } })).rejects.toThrow(
      /quality\.seconds must be more than 0 and at most 10/,
    );
  });
});
