import { checkId, rangeId } from '#common/analysis/ids';
import type { Profile } from '#common/profile/schema';
import type { PlannedCheck } from '#common/report/progress';
import { TRANSPORT_LABEL } from '#common/report/kinds';
import type { RoomType } from '#common/report/schema';
import { resolveHost } from '../probes/dns';
import { tlsHandshake } from '../probes/tls';
import { toPlanned, type CheckDescriptor, type Plan, type RangeDescriptor } from './check';
import { natCheck, relayCheck, stunCheck, turnCheck } from './stun-checks';
import { directQualityCheck, turnQualityCheck } from './quality-checks';
import type { QualityPath } from '#common/quality/schema';
import { familyId, type Family } from '#common/report/family';
import { bothFamilies, pinned } from './families';

/** Per-check deadlines, ms. */
export interface Timeouts {
  dns: number;
  tls: number;
  stun: number;
  turn: number;
  relay: number;
  nat: number;
  range: number;
  rangeProbe: number;
}
export const DEFAULT_TIMEOUTS: Timeouts = {
  dns: 2000,
  tls: 3000,
  stun: 2500,
  turn: 3000,
  relay: 3500,
  nat: 4000,
  range: 6000,
  rangeProbe: 700,
};

export interface PlanOptions {
  rooms: RoomType[];
  hasCredentials: boolean;
  timeouts?: Partial<Timeouts>;
  /** Measure call quality on the paths that work, each for at most `seconds` (absent: not measured). */
  quality?: { seconds: number };
  /**
   * Plan the IPv6 twin (`id/v6`, family 6) of every network check and range beside its IPv4 variant.
   * The engine withdraws the twins this machine or the name cannot use once names resolve (families.ts).
   */
  ipv6?: boolean;
}

/** Every call-quality stream crosses this computer's link: one at a time (check.ts, `serial`). */
const LINK = 'link';

/**
 * Every check a profile implies, described once, in the order a person reads them: names,
 * signaling, STUN, TURN per transport, the relay proof, NAT, then the port ranges. The engine runs
 * them; the live views show this list first and tick items off as results arrive.
 */
export function planDiagnosis(profile: Profile, opts: PlanOptions): Plan {
  const t = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  // Each network check over IPv4 (id unchanged) and, when asked, its IPv6 twin right after it.
  const fams = (build: (f: Family) => CheckDescriptor) => bothFamilies(opts.ipv6 === true, (f) => pinned(build(f), f));
  const checks: CheckDescriptor[] = [
    ...hostsOf(profile).map((h) => dnsCheck(h, t)),
    ...profile.signaling.flatMap((s) => fams((f) => signalingCheck(s.host, s.port, t, f))),
    ...profile.stun.flatMap((s) => fams((f) => stunUdpCheck(s.host, s.port, t, f))),
    ...profile.turn.flatMap((s) => fams((f) => turnServerCheck(s, t, f))),
  ];
  // Where a server may send our probes besides itself (OTHER-ADDRESS, a relayed address): the profile's ranges.
  const trusted = [...profile.addresses.ipv4, ...profile.addresses.ipv6];
  const udpTurn = profile.turn.find((x) => x.transport === 'udp');
  if (udpTurn && opts.hasCredentials)
    checks.push(...fams((f) => relayUdpCheck(udpTurn.host, udpTurn.port, t, trusted, f)));
  const nat = natTarget(profile);
  if (nat) checks.push(...fams((f) => natBehaviourCheck(nat, natSecondary(profile), t, trusted, f)));
  if (opts.quality)
    checks.push(...qualityChecks(profile, opts.hasCredentials, opts.quality.seconds, opts.ipv6 === true));
  const ranges = rangeChecks(profile, opts.rooms, t).flatMap((r) =>
    bothFamilies(opts.ipv6 === true, (f) => pinned(r, f)),
  );
  return { checks, ranges };
}

/** The plan as the live views see it (the `plan` event). */
export function planChecks(profile: Profile, opts: PlanOptions): PlannedCheck[] {
  const plan = planDiagnosis(profile, opts);
  return [...plan.checks, ...plan.ranges].map(toPlanned);
}

function hostsOf(profile: Profile): string[] {
  const hosts = new Set<string>();
  profile.signaling.forEach((s) => hosts.add(s.host));
  profile.stun.forEach((s) => hosts.add(s.host));
  profile.turn.forEach((s) => hosts.add(s.host));
  profile.group?.mediaServers.forEach((m) => hosts.add(m.host));
  if (profile.reflector) hosts.add(profile.reflector.host);
  return [...hosts];
}

function dnsCheck(host: string, t: Timeouts): CheckDescriptor {
  return {
    id: checkId.dns(host),
    kind: 'dns',
    label: `Resolve ${host}`,
    host,
    deadlineMs: t.dns,
    provides: { name: host },
    async run(ctx) {
      const o = await resolveHost(host, { deadlineMs: t.dns, signal: ctx.signal });
      // The first address of each family (what Chromium tries first), the IPv4 one first.
      if (o.status === 'pass')
        for (const f of [4, 6] as const) {
          const first = o.evidence.addresses.find((a) => a.family === f);
          if (first) ctx.learnAddress(host, first.address);
        }
      return o;
    },
  };
}

function signalingCheck(host: string, port: number, t: Timeouts, f: Family): CheckDescriptor {
  return {
    id: checkId.tls(host, port),
    kind: 'tls',
    label: `Signaling TLS ${host}:${port}`,
    host,
    port,
    deadlineMs: t.tls,
    needs: { name: host, proxyResolves: true },
    async run({ proxy, ca, signal, addressOf, deadlineMs }) {
      const o = await tlsHandshake(proxy ? host : addressOf(host, f)!, port, {
        deadlineMs: deadlineMs ?? t.tls,
        signal,
        servername: host,
        ...(ca ? { ca } : {}),
        ...(proxy ? { proxy } : {}),
      });
      return proxy ? { ...o, evidence: { ...o.evidence, proxy: proxy.url } } : o;
    },
  };
}

function stunUdpCheck(host: string, port: number, t: Timeouts, f: Family): CheckDescriptor {
  return {
    id: checkId.stun('udp', host, port),
    kind: 'stun',
    label: `STUN over UDP ${host}:${port}`,
    transport: 'udp',
    host,
    port,
    deadlineMs: t.stun,
    needs: { name: host },
    run: (ctx) =>
      stunCheck(ctx.addressOf(host, f)!, port, { deadlineMs: ctx.deadlineMs ?? t.stun, signal: ctx.signal }),
  };
}

function turnServerCheck(s: Profile['turn'][number], t: Timeouts, f: Family): CheckDescriptor {
  const { transport, host, port } = s;
  return {
    id: checkId.turn(transport, host, port),
    kind: 'turn',
    label: `TURN over ${TRANSPORT_LABEL[transport]} ${host}:${port}`,
    transport,
    host,
    port,
    deadlineMs: t.turn,
    // Browsers send TURN over TCP/TLS through an HTTPS proxy; UDP never goes through one.
    needs: { name: host, proxyResolves: transport !== 'udp' },
    run(ctx) {
      const proxy = transport !== 'udp' ? ctx.proxy : null;
      return turnCheck(s, proxy ? host : ctx.addressOf(host, f)!, {
        // Over IPv6 ask for an IPv6 relay (RFC 8656 REQUESTED-ADDRESS-FAMILY): what an IPv6 client gets.
        ...(f === 6 ? { relayFamily: 6 as const } : {}),
        deadlineMs: ctx.deadlineMs ?? t.turn,
        signal: ctx.signal,
        credentials: ctx.credentials,
        ...(ctx.ca ? { ca: ctx.ca } : {}),
        ...(proxy ? { proxy } : {}),
      });
    },
  };
}

function relayUdpCheck(
  host: string,
  port: number,
  t: Timeouts,
  trusted: readonly string[],
  f: Family,
): CheckDescriptor {
  return {
    id: checkId.relay(host, port),
    kind: 'relay',
    label: `High UDP port through the relay ${host}`,
    transport: 'udp',
    host,
    port,
    deadlineMs: t.relay,
    needs: { name: host, credentials: true },
    run: (ctx) =>
      relayCheck(ctx.addressOf(host, f)!, port, ctx.credentials!, {
        deadlineMs: ctx.deadlineMs ?? t.relay,
        signal: ctx.signal,
        trusted,
        ...(f === 6 ? { relayFamily: 6 as const } : {}),
      }),
  };
}

type Endpoint = { host: string; port: number };

function natBehaviourCheck(
  target: Endpoint,
  second: Endpoint | undefined,
  t: Timeouts,
  trusted: readonly string[],
  f: Family,
): CheckDescriptor {
  const { host, port } = target;
  return {
    id: checkId.nat(host, port),
    kind: 'nat',
    label: `NAT behaviour via ${host}:${port}`,
    transport: 'udp',
    host,
    port,
    deadlineMs: t.nat,
    needs: { name: host },
    async run(ctx) {
      const secondIp = second && ctx.addressOf(second.host, f);
      const r = await natCheck(ctx.addressOf(host, f)!, port, {
        deadlineMs: t.nat,
        signal: ctx.signal,
        trusted,
        ...(second && secondIp ? { secondary: { host: secondIp, port: second.port } } : {}),
        ...(f === 6 ? { ipv6: true } : {}),
      });
      // The report's `nat` is IPv4's; the IPv6 answer (translated or not) stays in the twin's evidence.
      if (f === 4) ctx.reportNat(r.nat);
      return r.outcome;
    },
  };
}

const QUALITY_PATH = { udp: 'turn-udp', tcp: 'turn-tcp', tls: 'turn-tls' } as const satisfies Record<
  string,
  QualityPath
>;
const TRANSPORT_ORDER = { udp: 0, tcp: 1, tls: 2 } as const;

/**
 * Call quality (docs/quality.md): a STUN echo for direct UDP, then a paced stream through each TURN
 * transport in ladder order (UDP, TCP, TLS), each once its reachability check passed. They share
 * this computer's link, so they run one at a time; each stops as soon as its answer is clear, and
 * one whose answer is already clear from an earlier one is not run (quality-checks.ts).
 *
 * Each is planned over IPv4 and, with `ipv6`, as an IPv6 twin right after it (qualityFamilies).
 */
function qualityChecks(profile: Profile, hasCredentials: boolean, seconds: number, ipv6: boolean): CheckDescriptor[] {
  const budgetMs = Math.round(seconds * 1000);
  const out: CheckDescriptor[] = [];
  const echo = natTarget(profile);
  if (echo) {
    const { host, port } = echo;
    const needed = profile.stun.some((s) => s.host === host && s.port === port)
      ? checkId.stun('udp', host, port)
      : checkId.turn('udp', host, port);
    const quality = (f: Family): CheckDescriptor => ({
      id: checkId.quality('direct-udp', host, port),
      kind: 'quality',
      label: `Call quality, direct UDP to ${host}:${port}`,
      transport: 'udp',
      host,
      port,
      deadlineMs: budgetMs,
      serial: LINK,
      needs: { name: host },
      run: (ctx) =>
        directQualityCheck(echo, ctx.addressOf(host, f)!, ctx, { budgetMs, rates: profile.quality, family: f }),
    });
    out.push(...qualityFamilies(ipv6, needed, quality));
  }
  if (!hasCredentials) return out;
  const turn = [...profile.turn].sort((a, b) => TRANSPORT_ORDER[a.transport] - TRANSPORT_ORDER[b.transport]);
  for (const s of turn) {
    const { transport, host, port } = s;
    const path = QUALITY_PATH[transport];
    const quality = (f: Family): CheckDescriptor => ({
      id: checkId.quality(path, host, port),
      kind: 'quality',
      label: `Call quality through TURN over ${TRANSPORT_LABEL[transport]} ${host}:${port}`,
      transport,
      host,
      port,
      deadlineMs: budgetMs,
      serial: LINK,
      needs: { name: host, credentials: true },
      run: (ctx) =>
        turnQualityCheck(s, ctx.addressOf(host, f)!, path, ctx, { budgetMs, rates: profile.quality, family: f }),
    });
    out.push(...qualityFamilies(ipv6, checkId.turn(transport, host, port), quality));
  }
  return out;
}

/**
 * One quality measurement over IPv4 and, with `ipv6`, its IPv6 twin (`id/v6`), each needing its own
 * family's variant of `needed` (the check proving the path works). The twin runs only where the
 * IPv4 variant of `needed` did not pass while its own did — an IPv6-only client, or IPv4 blocked
 * where IPv6 is open: media then takes IPv6 — so a dual-stack network where both work measures
 * each path once, over IPv4 (a tie goes to IPv4 in the verdict, analysis/family.ts), and costs no
 * extra seconds on the shared link.
 */
function qualityFamilies(ipv6: boolean, needed: string, build: (f: Family) => CheckDescriptor): CheckDescriptor[] {
  return bothFamilies(ipv6, (f) => {
    const d = pinned(build(f), f);
    const unless = {
      ids: [needed],
      detail: `Not measured over IPv6: ${needed} passed, so this path is measured once, over IPv4 (what media takes when both families work).`,
    };
    return { ...d, needs: { ...d.needs, passed: [familyId(needed, f)], ...(f === 6 ? { unlessPassed: unless } : {}) } };
  });
}

function rangeChecks(profile: Profile, rooms: RoomType[], t: Timeouts): RangeDescriptor[] {
  if (!profile.reflector) return [];
  const host = profile.reflector.host;
  const range = (
    id: string,
    label: string,
    protocol: 'udp' | 'tcp',
    required: Array<[number, number]>,
  ): RangeDescriptor => ({
    id,
    kind: 'range',
    label,
    protocol,
    host,
    required,
    deadlineMs: t.range,
    probeDeadlineMs: t.rangeProbe,
  });
  const out: RangeDescriptor[] = [];
  if (rooms.includes('group') && profile.group)
    out.push(range(rangeId.group, 'Group media UDP ports', 'udp', profile.group.udpPorts));
  if (rooms.includes('p2p') && profile.p2p) {
    out.push(range(rangeId.p2pUdp, 'Peer-to-peer UDP ports', 'udp', profile.p2p.udpPorts));
    if (profile.p2p.tcpPorts) out.push(range(rangeId.p2pTcp, 'Peer-to-peer TCP ports', 'tcp', profile.p2p.tcpPorts));
  }
  return out;
}

/** The UDP STUN endpoint used for NAT discovery: the first STUN server, else the first UDP TURN server. */
export function natTarget(profile: Profile): Endpoint | undefined {
  return profile.stun[0] ?? profile.turn.find((t) => t.transport === 'udp');
}

/**
 * A second UDP STUN endpoint for the NAT fallback (compare mapped ports towards two destinations)
 * when the first server has no RFC 5780 support: another STUN server, or a UDP TURN server elsewhere.
 */
export function natSecondary(profile: Profile): Endpoint | undefined {
  const first = natTarget(profile);
  const candidates = [...profile.stun, ...profile.turn.filter((t) => t.transport === 'udp')];
  return candidates.find((c) => first && (c.host !== first.host || c.port !== first.port));
}
