import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, qualityId, type QualityResult } from '#common/quality/schema';
import { parseProfile, type Profile } from '#common/profile/schema';
import { v6Id } from '#common/report/family';
import { serialSkip, type CheckContext, type CheckDescriptor } from '#node/engine/check';
import { settleFamilies } from '#node/engine/families';
import { planDiagnosis } from '#node/engine/plan';
import { qualityNotNeeded } from '#node/engine/quality-checks';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { startCoturn, type Coturn } from '../stun/coturn-harness';

/**
 * Call quality over the family media takes (docs/quality.md, "Address families"): each quality
 * measurement has an IPv6 twin (`id/v6`) that runs only where its IPv4 path does not work, so a
 * dual-stack network measures each path once, over IPv4, and an IPv6-only one over IPv6.
 */
function labProfile(ports = { udp: 3478, tls: 443 }): Profile {
  const r = parseProfile({
    schemaVersion: 1,
    id: 'lab',
    name: 'Lab',
    signaling: [{ host: 'sig.lab.test', port: 443 }],
    stun: [{ host: 'turn.lab.test', port: ports.udp }],
    turn: [
      { host: 'turn.lab.test', port: ports.udp, transport: 'udp' },
      { host: 'turn.lab.test', port: ports.udp, transport: 'tcp' },
      { host: 'turn.lab.test', port: ports.tls, transport: 'tls' },
    ],
    credentials: { type: 'static', username: 'u', credential: 'p' },
    group: { mediaServers: [], udpPorts: [[10000, 60000]] },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
}
const opts = { rooms: ['group' as const], hasCredentials: true, quality: { seconds: 3 } };
const qualityOf = (checks: CheckDescriptor[]) => checks.filter((d) => d.kind === 'quality');
const Q = {
  echo: 'quality:direct-udp:turn.lab.test:3478',
  udp: 'quality:turn-udp:turn.lab.test:3478',
  tcp: 'quality:turn-tcp:turn.lab.test:3478',
  tls: 'quality:turn-tls:turn.lab.test:443',
};
const NEEDED = {
  [Q.echo]: 'stun:udp:turn.lab.test:3478',
  [Q.udp]: 'turn:udp:turn.lab.test:3478',
  [Q.tcp]: 'turn:tcp:turn.lab.test:3478',
  [Q.tls]: 'turn:tls:turn.lab.test:443',
};

describe('the plan of quality twins', () => {
  const dual = planDiagnosis(labProfile(), { ...opts, ipv6: true });

  it('each measurement over IPv4, its IPv6 twin right after it; each needs its own family’s check, the twin also that IPv4’s did not pass', () => {
    const q = qualityOf(dual.checks);
    expect(q.map((d) => d.id)).toEqual(Object.values(Q).flatMap((id) => [id, v6Id(id)]));
    for (const id of Object.values(Q)) {
      const v4 = q.find((d) => d.id === id)!;
      const v6 = q.find((d) => d.id === v6Id(id))!;
      expect(v4).toMatchObject({ family: 4, serial: 'link' });
      expect(v4.needs?.passed).toEqual([NEEDED[id]]);
      expect(v4.needs?.unlessPassed).toBeUndefined();
      expect(v6).toMatchObject({ family: 6, serial: 'link', label: `${v4.label} (IPv6)` });
      expect(v6.needs?.passed).toEqual([v6Id(NEEDED[id]!)]);
      expect(v6.needs?.unlessPassed?.ids).toEqual([NEEDED[id]]);
    }
  });

  it('without IPv6 (planned without twins, or withdrawn on an IPv4-only machine) the quality plan is the IPv4 one', () => {
    const v4 = qualityOf(planDiagnosis(labProfile(), opts).checks).map((d) => d.id);
    expect(v4).toEqual(Object.values(Q));
    const settled = settleFamilies(dual, { ipv6Usable: false, proxy: false, has: () => true });
    expect(qualityOf(settled.checks).map((d) => d.id)).toEqual(v4);
  });

  /** Which quality checks run, given the status of every check they wait for. */
  const runs = (status: Record<string, string>) =>
    qualityOf(dual.checks)
      .filter((d) => serialSkip(d, (id) => status[id]) === undefined)
      .map((d) => d.id);
  const both = (id: string, s4: string, s6: string) => ({ [id]: s4, [v6Id(id)]: s6 });

  it('dual-stack open: every path once, over IPv4; the twins say why they did not run', () => {
    const status = Object.assign({}, ...Object.values(NEEDED).map((id) => both(id, 'pass', 'pass')));
    expect(runs(status)).toEqual(Object.values(Q));
    const twin = qualityOf(dual.checks).find((d) => d.id === v6Id(Q.udp))!;
    expect(serialSkip(twin, (id) => status[id])).toMatch(
      /^Not measured over IPv6: turn:udp:turn\.lab\.test:3478 passed/,
    );
  });

  it('IPv6-only client (every IPv4 check unreachable): the twins run instead', () => {
    const status = Object.assign({}, ...Object.values(NEEDED).map((id) => both(id, 'fail', 'pass')));
    expect(runs(status)).toEqual(Object.values(Q).map(v6Id));
  });

  it('IPv4 only TCP 443, IPv6 open: UDP paths over IPv6, TLS over IPv4 (never both families of one path)', () => {
    const status = {
      ...both(NEEDED[Q.echo]!, 'fail', 'pass'),
      ...both(NEEDED[Q.udp]!, 'fail', 'pass'),
      ...both(NEEDED[Q.tcp]!, 'fail', 'pass'),
      ...both(NEEDED[Q.tls]!, 'pass', 'pass'),
    };
    expect(runs(status)).toEqual([v6Id(Q.echo), v6Id(Q.udp), v6Id(Q.tcp), Q.tls]);
  });

  it('a path that works over neither family is not measured at all; a warned check (poor but working) counts as working', () => {
    expect(runs({ ...both(NEEDED[Q.udp]!, 'fail', 'fail') })).toEqual([]);
    expect(runs({ ...both(NEEDED[Q.udp]!, 'warn', 'pass') })).toEqual([Q.udp]);
  });
});

describe('which measurements an earlier one makes moot, per family', () => {
  const entry = (path: 'turn-udp' | 'turn-tcp', family: 4 | 6, host = 'turn.lab.test'): QualityResult => {
    const n = { upKbps: 2500, downKbps: 2500, rttMs: 10, rttLoadedMs: 10, jitterMs: 1, lossPct: 0 };
    const j = judge(n, DEFAULT_QUALITY_RATES);
    const id = qualityId(path, host, 3478);
    return {
      ...n,
      id: family === 6 ? v6Id(id) : id,
      family,
      path,
      sensor: 'engine',
      host,
      port: 3478,
      durationMs: 1000,
      targetKbps: 2500,
      mos: j.mos,
      grade: j.grade,
      limitedBy: j.limitedBy,
      samples: [],
    };
  };
  const rates = DEFAULT_QUALITY_RATES;

  it('another server’s stream answers for its transport over its own family only (each family’s verdict reads its own entries)', () => {
    const soFar = [entry('turn-udp', 6, 'a.example.com')];
    expect(qualityNotNeeded('turn-udp', soFar, rates, 6)).toMatch(/another server already answered/);
    expect(qualityNotNeeded('turn-udp', soFar, rates, 4)).toBeUndefined();
    // Entries of older runs carry no family: IPv4, as their ids say.
    const { family: _f, ...old } = entry('turn-udp', 4);
    expect(qualityNotNeeded('turn-udp', [old], rates)).toMatch(/another server already answered/);
  });

  it('a UDP relay that carries calls over either family makes TCP and TLS moot over both (the better rung wins the verdict)', () => {
    for (const f of [4, 6] as const)
      for (const path of ['turn-tcp', 'turn-tls'] as const)
        expect(qualityNotNeeded(path, [entry('turn-udp', f)], rates, f === 4 ? 6 : 4)).toMatch(/TURN over UDP carries/);
  });
});

const skip = missingPrereqs('quality twins against coturn on ::1', [prereqs.coturn, prereqs.openssl]);
describe.skipIf(skip)('a quality twin measured against a real coturn on ::1', () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ ipv6: true, allowLoopbackPeers: true });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  it('the IPv6 stream goes to the IPv6 address, and its entry and check say IPv6 (id/v6, family 6)', async () => {
    const profile = labProfile({ udp: coturn.port, tls: coturn.tlsPort });
    const plan = planDiagnosis(profile, { ...opts, ipv6: true, quality: { seconds: 2 } });
    const id = qualityId('turn-udp', 'turn.lab.test', coturn.port);
    const twin = plan.checks.find((d) => d.id === v6Id(id))!;
    const reported: QualityResult[] = [];
    const ctx: CheckContext = {
      signal: AbortSignal.timeout(5000),
      addressOf: (_name, f) => (f === 6 ? '::1' : f === 4 ? '127.0.0.2' : undefined),
      learnAddress: () => undefined,
      proxy: null,
      credentials: { username: 'u', credential: 'p', source: 'static' },
      reportNat: () => undefined,
      reportQuality: (q) => reported.push(q),
      qualitySoFar: () => reported,
      resultOf: () => undefined,
      remainingMs: () => 8000,
    };
    const o = await twin.run(ctx);
    expect(o).toMatchObject({ status: 'pass', evidence: { quality: v6Id(id), server: `[::1]:${coturn.port}` } });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ id: v6Id(id), family: 6, path: 'turn-udp', host: 'turn.lab.test' });
    expect(reported[0]!.upKbps).toBeGreaterThan(0);
  });
});
