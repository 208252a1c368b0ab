import type { CheckDescriptor } from './check';
import type { Outcome } from './outcome';
import { listenForAnswer } from '../net/heard';

/**
 * Deadlines derived from measured round trips (docs/architecture.md, "Deadlines of silent probes").
 *
 * A probe that gets no answer used to wait its full fixed deadline (TLS 3 s, TURN 3 s, NAT 4 s…)
 * before it counted as blocked. Once any packet from a server has come back, its round trip bounds
 * how long a silent probe to the same server deserves:
 *
 *   deadline = clamp(K · RTT + margin, floor, ceiling)
 *
 * - RTT is the largest round trip measured to that address in this run (a slow, queued link shows
 *   as a large one, which lengthens every deadline), else the largest to another address of the same
 *   network (/24 for IPv4, /48 for IPv6: one provider's servers, one path);
 * - the floor covers a lost first packet: TCP resends a SYN after 1 s (RFC 6298's initial RTO), the
 *   STUN client resends at 500 ms, 1 s…;
 * - the ceiling is the check's own fixed deadline, as before.
 *
 * A running probe's deadline moves whenever a new round trip arrives (shorter or longer), so a
 * probe started before anything had answered is cut as soon as the evidence exists.
 *
 * When nothing at all has answered yet (a fully dropped network), there is no round trip. The
 * resolver's is not used: a name from /etc/hosts crossed no network, and a resolver is usually one
 * hop away (or a cache on this machine), so its round trip says nothing about the far servers. The
 * rule instead is: if not one packet from any server came back within `unansweredMs` of the run's
 * start (2 s), the network is treated as dropping everything. Any working link answers something by
 * then — a geostationary satellite hop (~600 ms) plus one lost SYN (1 s) fits — and the moment one
 * answer arrives, every deadline is re-derived from it (up to the ceiling). Range probes use the
 * same rule with their own numbers: the first wave waits its full 700 ms; once nothing has answered
 * for that long, later probes wait their floor (300 ms). A port found blocked next to an open one
 * is probed again before it counts (range/discover.ts), so a slow link's late answer cannot make a
 * false boundary.
 *
 * Some checks repeat another check's first packet (the NAT test and the relay proof start with a
 * Binding/Allocate to the same UDP endpoint as the STUN/TURN check): they end as soon as that
 * endpoint was found silent, since their own first request cannot be answered either.
 */
export const SILENCE = {
  /** Round trips a silent probe waits (a STUN/TURN exchange is one, a TLS handshake two or three). */
  k: 4,
  marginMs: 250,
  /** One lost SYN (initial RTO 1 s) plus the margin. */
  floorMs: 1250,
  /** Nothing answered from anywhere this long after the run started: the network drops everything. */
  unansweredMs: 2000,
  /** Range probes: their fixed deadline (700 ms) is already below a SYN retransmission; losses are confirmed by a second probe. */
  range: { k: 4, marginMs: 150, floorMs: 300, unansweredMs: 700 },
} as const;

export interface Rule {
  k: number;
  marginMs: number;
  floorMs: number;
  unansweredMs: number;
}

/** What a cut said about itself, for the report. */
export interface Basis {
  ms: number;
  /** The round trip it was derived from, and whose it was (an address), if any. */
  rttMs?: number;
  from?: string;
  ceilingMs: number;
  why: 'rtt' | 'unanswered' | 'endpoint-silent' | 'ceiling';
}

type Listener = () => void;

/** Round trips measured in one run, per address, and the UDP endpoints found silent. Shared by every check of the run. */
export class RttRegistry {
  /** When the run started (the clock of `timers`): the unanswered window counts from here. */
  readonly startedAt: number;
  constructor(readonly timers: Timers = realTimers) {
    this.startedAt = timers.now();
  }
  private readonly rtt = new Map<string, number>();
  private readonly silent = new Set<string>();
  private readonly listeners = new Set<Listener>();

  /** A packet from `address` came back `rttMs` after its request. */
  observe(address: string, rttMs: number): void {
    if (!address || !Number.isFinite(rttMs) || rttMs < 0) return;
    const prev = this.rtt.get(address);
    if (prev !== undefined && prev >= rttMs) return;
    this.rtt.set(address, rttMs);
    this.notify();
  }

  /** No answer from `address:port` over UDP within its deadline. */
  markSilent(address: string, port: number): void {
    const key = `${address}|${port}`;
    if (this.silent.has(key)) return;
    this.silent.add(key);
    this.notify();
  }

  isSilent(address: string, port: number): boolean {
    return this.silent.has(`${address}|${port}`);
  }

  /** The largest round trip to `address`, else to its network, else undefined. */
  rttFor(address: string): { rttMs: number; from: string } | undefined {
    const own = this.rtt.get(address);
    if (own !== undefined) return { rttMs: own, from: address };
    let best: { rttMs: number; from: string } | undefined;
    for (const [a, ms] of this.rtt)
      if (sameNetwork(a, address) && (!best || ms > best.rttMs)) best = { rttMs: ms, from: a };
    return best;
  }

  /** Whether anything at all has answered in this run. */
  anyAnswer(): boolean {
    return this.rtt.size > 0;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

/** Same /24 (IPv4) or /48 (IPv6). */
export function sameNetwork(a: string, b: string): boolean {
  if (a.includes(':') !== b.includes(':')) return false;
  if (!a.includes(':')) return a.split('.').slice(0, 3).join('.') === b.split('.').slice(0, 3).join('.');
  const head = (x: string) => expand6(x).slice(0, 3).join(':');
  return head(a) === head(b);
}

function expand6(a: string): string[] {
  const [l = '', r] = a.split('::');
  const left = l ? l.split(':') : [];
  const right = r !== undefined && r ? r.split(':') : [];
  const fill = r !== undefined ? Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0') : [];
  return [...left, ...fill, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** How long a silent probe to `address`, started at `startedAt`, deserves now, out of `ceilingMs`. */
export function deadlineNow(
  reg: RttRegistry,
  address: string,
  ceilingMs: number,
  startedAt: number,
  rule: Rule = SILENCE,
  fallbackAddress?: string,
): Basis {
  const r = reg.rttFor(address) ?? (fallbackAddress !== undefined ? reg.rttFor(fallbackAddress) : undefined);
  if (r) {
    const ms = Math.min(ceilingMs, Math.max(rule.floorMs, rule.k * r.rttMs + rule.marginMs));
    return { ms, rttMs: r.rttMs, from: r.from, ceilingMs, why: ms < ceilingMs ? 'rtt' : 'ceiling' };
  }
  if (!reg.anyAnswer()) {
    const ms = Math.max(rule.floorMs, rule.unansweredMs - (startedAt - reg.startedAt));
    if (ms < ceilingMs) return { ms, ceilingMs, why: 'unanswered' };
  }
  return { ms: ceilingMs, ceilingMs, why: 'ceiling' };
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SilentDeadline {
  /** Aborts when the derived deadline passes (never before `floor`, never after the ceiling). */
  readonly signal: AbortSignal;
  /** The far side answered: the probe is no longer silent, so only its own (ceiling) deadline applies. */
  heard(): void;
  /** Why it fired, once it has. */
  fired(): Basis | null;
  dispose(): void;
}

export interface ArmOptions {
  registry: RttRegistry;
  address: string;
  ceilingMs: number;
  /** 'rtt': derived from round trips; 'endpoint': ends when `address:port` (UDP) was found silent by another check. */
  mode: 'rtt' | 'endpoint';
  port?: number;
  rule?: Rule;
  /** Also cut at the ceiling (for a probe whose own deadline was set longer). */
  cutAtCeiling?: boolean;
  /** Where to take a round trip from while `address` has none: the same server's address in the other family. */
  fallbackAddress?: string;
}

/**
 * A deadline that follows the registry: re-derived on every new round trip or silence, from the
 * moment it was armed. The ceiling itself stays with the caller's own timer.
 */
export function armSilentDeadline(o: ArmOptions): SilentDeadline {
  const t = o.registry.timers;
  const start = t.now();
  const ctrl = new AbortController();
  let fired: Basis | null = null;
  let handle: unknown;
  const basis = (): Basis | null => {
    if (o.mode === 'endpoint')
      return o.port !== undefined && o.registry.isSilent(o.address, o.port)
        ? { ms: t.now() - start, ceilingMs: o.ceilingMs, why: 'endpoint-silent' }
        : null;
    return deadlineNow(o.registry, o.address, o.ceilingMs, start, o.rule, o.fallbackAddress);
  };
  const check = (): void => {
    if (fired) return;
    if (handle !== undefined) t.clearTimeout(handle);
    handle = undefined;
    const b = basis();
    if (!b || (b.why === 'ceiling' && !o.cutAtCeiling)) return; // the ceiling is the caller's own timer
    const due = start + b.ms;
    if (t.now() >= due) {
      fired = b;
      unsubscribe();
      ctrl.abort(new Error('silent'));
    } else handle = t.setTimeout(check, due - t.now());
  };
  const unsubscribe = o.registry.subscribe(check);
  check();
  const dispose = (): void => {
    unsubscribe();
    if (handle !== undefined) t.clearTimeout(handle);
    handle = undefined;
  };
  return {
    signal: ctrl.signal,
    heard: () => {
      if (!fired) dispose();
    },
    fired: () => fired,
    dispose,
  };
}

/** A probe cut by its derived deadline answered `aborted`; in the report it is what it is: a timeout. */
export function silentOutcome(o: Outcome, b: Basis): Outcome {
  return {
    status: 'fail',
    reason: 'timeout',
    detail: describeCut(b),
    evidence: {
      ...o.evidence,
      deadline: {
        ms: Math.round(b.ms),
        ceilingMs: b.ceilingMs,
        basis: b.why,
        ...(b.rttMs !== undefined ? { rttMs: Math.round(b.rttMs * 10) / 10, from: b.from } : {}),
      },
    },
  };
}

export function describeCut(b: Basis): string {
  const ms = Math.round(b.ms);
  if (b.why === 'endpoint-silent')
    return `No answer: the same UDP endpoint gave no answer to the STUN/TURN check either, so this test's first request could not be answered (stopped after ${ms} ms).`;
  if (b.why === 'unanswered')
    return `No answer within ${ms} ms, and nothing else in this run had answered either: the network drops this traffic (a working link answers something within ${SILENCE.unansweredMs} ms of the start).`;
  return `No answer within ${ms} ms: ${SILENCE.k}× the round trip of ${Math.round((b.rttMs ?? 0) * 10) / 10} ms measured to ${b.from} in this run, plus a margin, at least ${SILENCE.floorMs} ms (one lost packet resent) and at most ${b.ceilingMs} ms.`;
}

/**
 * Runs `probe` under a derived deadline besides its own, for as long as it has heard nothing from
 * the far side (net/heard.ts: a completed TCP handshake or a datagram from the server ends the
 * silence, and a slow handshake then has its full deadline). The result of a cut is a `timeout`,
 * and a probe that got an answer (`rttMs`) teaches the registry its round trip.
 */
export async function withSilentDeadline(
  o: ArmOptions & { signal: AbortSignal; learn?: boolean; markSilent?: boolean; onHeard?: () => void },
  probe: (signal: AbortSignal) => Promise<Outcome>,
): Promise<Outcome> {
  const cut = armSilentDeadline(o);
  const heard = (): void => {
    o.onHeard?.();
    cut.heard();
  };
  try {
    const out = await listenForAnswer(heard, () => probe(AbortSignal.any([o.signal, cut.signal])));
    const b = cut.fired();
    const cutShort = b !== null && out.reason === 'aborted' && !o.signal.aborted;
    if ((cutShort || out.reason === 'timeout') && o.markSilent && o.port !== undefined)
      o.registry.markSilent(o.address, o.port);
    if (cutShort) return silentOutcome(out, b);
    if (out.rttMs !== undefined && out.status !== 'skipped' && o.learn !== false)
      o.registry.observe(o.address, out.rttMs);
    return out;
  } finally {
    cut.dispose();
  }
}

/** How a check's silence is bounded: by round trips, by its UDP endpoint's silence, or not at all (through a proxy, DNS, quality). */
export function policyFor(
  d: Pick<CheckDescriptor, 'kind' | 'transport'>,
  viaProxy: boolean,
): { mode: 'rtt' | 'endpoint'; markSilent: boolean } | null {
  switch (d.kind) {
    case 'tls':
    case 'tcp':
      return viaProxy ? null : { mode: 'rtt', markSilent: false };
    case 'turn':
      if (d.transport !== 'udp' && viaProxy) return null;
      return { mode: 'rtt', markSilent: d.transport === 'udp' };
    case 'stun':
      return { mode: 'rtt', markSilent: true };
    case 'nat':
    case 'relay':
      return { mode: 'endpoint', markSilent: false };
    default:
      return null;
  }
}
