import { intersectRanges, normalizeRanges } from '#common/net/ranges';
import type { NatResult, RangeResult } from '#common/report/schema';
import type { ProxyEndpoint } from '../net/proxy';
import { createTcpRangeProbe } from '../range/tcp-probe';
import { createUdpRangeProbe } from '../range/udp-probe';
import { discoverRanges } from '../range/discover';
import { stunBinding } from '../stun/client';
import { natBehavior } from '../stun/nat';
import { turnRelayProbe } from '../stun/relay-probe';
import { turnAllocate, type TurnCredentials } from '../stun/turn';
import type { Outcome } from './outcome';
import { classifyIpv6Nat } from '../stun/nat6';
import os from 'node:os';
import { SILENCE, withSilentDeadline, type RttRegistry } from './deadlines';
import type { ProbeGuard } from '../range/tcp-probe';
import { createPacer, type LinkPacer } from '../range/pace';

/**
 * The engine's view of the STUN/TURN clients and range discovery: each function takes a resolved
 * address (the name stays for TLS SNI and the report) and returns an Outcome for toCheck().
 */
interface Deadline {
  deadlineMs: number;
  signal: AbortSignal;
}

export function stunCheck(address: string, port: number, o: Deadline): Promise<Outcome> {
  return stunBinding({ host: address, port, transport: 'udp' }, o);
}

export interface TurnCheckOptions extends Deadline {
  credentials: TurnCredentials | null;
  ca?: string;
  proxy?: ProxyEndpoint & { url: string };
}

export async function turnCheck(
  server: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' },
  target: string,
  o: TurnCheckOptions,
): Promise<Outcome> {
  const out = await turnAllocate(
    { host: target, port: server.port, transport: server.transport },
    {
      deadlineMs: o.deadlineMs,
      signal: o.signal,
      ...(o.credentials ? { username: o.credentials.username, credential: o.credentials.credential } : {}),
      ...(server.transport === 'tls' ? { tls: { servername: server.host, ...(o.ca ? { ca: o.ca } : {}) } } : {}),
      ...(o.proxy
        ? { proxy: { host: o.proxy.host, port: o.proxy.port, ...(o.proxy.auth ? { auth: o.proxy.auth } : {}) } }
        : {}),
    },
  );
  return o.proxy ? { ...out, evidence: { ...out.evidence, proxy: o.proxy.url } } : out;
}

/** `trusted`: the profile's address ranges, the only places besides the server a server may send probes. */
export function relayCheck(
  address: string,
  port: number,
  creds: TurnCredentials,
  o: Deadline & { trusted?: readonly string[]; relayFamily?: 4 | 6 },
): Promise<Outcome> {
  return turnRelayProbe(
    { host: address, port, transport: 'udp' },
    { username: creds.username, credential: creds.credential },
    o,
  );
}

/** This machine's own IPv6 addresses (what a mapped address is compared with). */
function ownIpv6(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv6' && !a.internal)
    .map((a) => a!.address);
}

export async function natCheck(
  address: string,
  port: number,
  o: Deadline & { secondary?: { host: string; port: number }; trusted?: readonly string[]; ipv6?: boolean },
): Promise<{ outcome: Outcome; nat: NatResult }> {
  const outcome = await natBehavior({ host: address, port, transport: 'udp' }, o);
  const ev = outcome.evidence;
  // Over IPv6: is the address the server saw this machine's own (no NAT), a translated prefix
  // (NPTv6) or a rewritten address (NAT66)? The analysis reads it from the evidence (`ipv6Nat`).
  if (o.ipv6 && ev.local && ev.mapped) {
    const c = classifyIpv6Nat({ local: ev.local, mapped: ev.mapped, hostAddresses: ownIpv6() });
    outcome.evidence = {
      ...ev,
      ipv6Nat: {
        translation: c.translation,
        publicAddress: c.publicAddress,
        local: ev.local.address,
        notes: c.notes,
      },
    };
  }
  const answered = outcome.status !== 'fail';
  const nat: NatResult = {
    mapping: answered ? ev.mapping : 'unknown',
    filtering: answered ? ev.filtering : 'unknown',
    behaveCompliant: answered && ev.mapping !== 'unknown' ? ev.behaveCompliant : null,
    publicAddress: ev.publicAddress ?? null,
    method: ev.method === 'rfc5780' ? 'rfc5780' : ev.method === 'two-destinations' ? 'two-destinations' : 'none',
    notes:
      ev.method === 'single' && answered
        ? [
            ev.otherAddressRefused
              ? `The STUN server's second address was not probed (${ev.otherAddressRefused}) and no second destination was available; filtering was not measured.`
              : 'The STUN server does not support RFC 5780 and no second destination was available; filtering was not measured.',
          ]
        : [],
  };
  return { outcome, nat };
}

export interface RangeCheckOptions {
  deadlineMs: number;
  probeDeadlineMs: number;
  signal: AbortSignal;
  /** Round trips of this run: a silent probe to the reflector waits as long as they justify (deadlines.ts). */
  rtt?: RttRegistry;
  /** The run's one window for range probes (range/pace.ts): batches running at once share the link. */
  link?: LinkPacer;
}
export interface WantedRange {
  id: string;
  required: Array<[number, number]>;
}

/** Probes in flight at once per batch (one protocol, one family): a fully blocked 10000-65535 is ~435 silent samples. */
export const RANGE_CONCURRENCY = 96;

/**
 * Range discovery against the reflector, for every wanted range of one protocol at once: UDP via
 * a STUN Binding to each probed port (the reflector redirects them all to its STUN server), TCP
 * via a plain connect. The ranges overlap (group 10000-60000 lies inside p2p 10000-65535), so one
 * discovery over their union answers all of them and no port is probed twice.
 */
export async function measureRanges(
  protocol: 'udp' | 'tcp',
  wanted: WantedRange[],
  reflectorName: string,
  reflectorIp: string,
  o: RangeCheckOptions & { family?: 4 | 6 },
): Promise<RangeResult[]> {
  if (wanted.length === 0) return [];
  const registry = o.rtt;
  const pacer = o.link ? o.link.join() : { ...createPacer({ max: RANGE_CONCURRENCY }), leave: () => {} };
  // A port probed a second time confirms a blocked answer that decides a boundary: it gets twice
  // the deadline, so a late answer on a congested link cannot make a false boundary.
  const seen = new Set<number>();
  const guard: ProbeGuard = async (port, signal, p) => {
    const again = seen.has(port);
    seen.add(port);
    const out = registry
      ? await withSilentDeadline(
          {
            registry,
            address: reflectorIp,
            ceilingMs: again ? 2 * o.probeDeadlineMs : o.probeDeadlineMs,
            mode: 'rtt',
            rule: SILENCE.range,
            cutAtCeiling: true,
            signal,
          },
          p,
        )
      : await p(signal);
    if (out.rttMs !== undefined) pacer.answered(out.rttMs);
    return out;
  };
  // The probes' own deadline is the longest (a confirmation's); the guard cuts first probes sooner.
  const perProbeMs = registry ? 2 * o.probeDeadlineMs : o.probeDeadlineMs;
  const { probe, reasons, answeredWrongly } =
    protocol === 'udp'
      ? createUdpRangeProbe(
          (port, po) =>
            guard(port, po.signal ?? o.signal, (s) =>
              stunBinding({ host: reflectorIp, port, transport: 'udp' }, { ...po, signal: s }),
            ),
          { perProbeMs, retries: 0 },
        )
      : {
          ...createTcpRangeProbe(reflectorIp, { perProbeMs, guard }),
          answeredWrongly: { count: 0 },
        };
  const union = normalizeRanges(wanted.flatMap((w) => w.required));
  const d = await discoverRanges({
    required: union,
    probe,
    signal: o.signal,
    deadlineMs: o.deadlineMs,
    // a block heard once stands where the probe waited longer than this link's round trips ask
    trustFirstBlocked: () => {
      const r = registry?.rttFor(reflectorIp);
      return !r || SILENCE.range.k * r.rttMs + SILENCE.range.marginMs <= o.probeDeadlineMs;
    },
    concurrency: RANGE_CONCURRENCY,
    window: pacer.window,
  }).finally(() => pacer.leave());
  const local = (reasons['local-blocked'] ?? 0) > 0;
  const timeouts = (reasons.timeout ?? 0) > 0;
  return wanted.map((w) => {
    const blocked = intersectRanges(d.blocked, w.required);
    const unknown = intersectRanges(d.unknown, w.required);
    const wrong =
      answeredWrongly.count > 0
        ? [
            `The reflector answered ${answeredWrongly.count} probe${answeredWrongly.count === 1 ? '' : 's'} wrongly; those ports let the traffic through, but the reflector's answers cannot be trusted.`,
          ]
        : [];
    const shared =
      wanted.length > 1
        ? [
            `Measured together with ${wanted
              .filter((x) => x.id !== w.id)
              .map((x) => x.id)
              .join(', ')} (${d.probes} probes in all).`,
          ]
        : [];
    // Cut short with nothing found blocked: the open part is real, the rest is a guess, not a block.
    const confidence = unknown.length > 0 && blocked.length === 0 ? ('inferred' as const) : ('measured' as const);
    return {
      id: w.id,
      protocol,
      host: reflectorName,
      required: w.required,
      allowed: intersectRanges(d.allowed, w.required),
      blocked,
      probes: d.probes,
      ...(o.family ? { family: o.family } : {}),
      resolution: d.resolution,
      confidence,
      notes: [...d.notes, ...wrong, ...shared],
      ...(blocked.length
        ? { layer: local ? ('local' as const) : timeouts ? ('perimeter' as const) : ('unknown' as const) }
        : {}),
    };
  });
}
