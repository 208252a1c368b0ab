import type { CheckContext, CheckDescriptor } from './check';
import { policyFor, withSilentDeadline, type RttRegistry } from './deadlines';
import type { Outcome } from './outcome';

/**
 * How a check's probe runs (docs/architecture.md, "Slow links"): under the derived deadline its
 * kind allows (engine/deadlines.ts, for silence), and once more with a longer deadline when it ran
 * out of time on a link whose round trips say a fixed deadline was too short.
 *
 * A fixed deadline (TLS 3 s, TURN 3 s) fits every ordinary link: TURN over TLS, the longest
 * exchange, is about five round trips (TCP, TLS 1.3's flights with the certificate, the 401
 * challenge, the Allocate). On a slow link whose queue is full (the lab's 400 kbit/s link holding
 * 500 ms, with both families' checks and the port sweeps sharing it) a round trip reads 0.7–1.4 s,
 * and a server that answered — the TCP handshake completed — could not finish in time: both
 * families then differ by chance, and a slow IPv6 read as "IPv6 is advertised but blocked".
 *
 * So a probe that timed out on its own deadline after hearing from the server, where the round
 * trips measured to that address in this run ask for more (`SLOW_LINK.k` × RTT + margin), runs once
 * more with that deadline, at most `SLOW_LINK.maxStretch` × its own, and only while the run's overall
 * deadline leaves room. A silent server (nothing heard) is not retried: more time does not answer
 * silence, and a dropped network costs no more than before. The report says it
 * (`evidence.slowLink`, and the detail).
 */
export const SLOW_LINK = {
  /** Round trips the longest exchange needs (TURN over TLS). */
  k: 5,
  marginMs: 250,
  /** The longest deadline, as a multiple of the check's own. */
  maxStretch: 2,
} as const;

/** The deadline the round trips measured to `address` ask for, when longer than `ceilingMs` (else null). */
export function slowLinkDeadline(
  registry: RttRegistry,
  address: string,
  ceilingMs: number,
): { ms: number; rttMs: number; from: string } | null {
  const r = registry.rttFor(address);
  if (!r) return null;
  const need = SLOW_LINK.k * r.rttMs + SLOW_LINK.marginMs;
  if (need <= ceilingMs) return null;
  return { ms: Math.round(Math.min(ceilingMs * SLOW_LINK.maxStretch, need)), rttMs: r.rttMs, from: r.from };
}

/**
 * Whether a check may get the second try: round-trip-bounded checks, and the relay proof (its
 * exchange after the Allocate is as slow as the link); not the NAT test, whose silence is a result.
 */
export function mayRetry(d: Pick<CheckDescriptor, 'kind' | 'transport'>, viaProxy: boolean): boolean {
  const policy = policyFor(d, viaProxy);
  return policy !== null && (policy.mode === 'rtt' || d.kind === 'relay');
}

/** Runs a check's probe with its signal, under the derived deadline its kind allows (policyFor), and once more on a slow link. */
export async function runProbe(
  registry: RttRegistry,
  d: CheckDescriptor,
  ctx: Omit<CheckContext, 'signal'>,
  signal: AbortSignal,
): Promise<Outcome> {
  // a check pinned to a family has its round trips, and its silence, at that family's address
  const address = d.host !== undefined ? ctx.addressOf(d.host, d.family) : undefined;
  const policy = policyFor(d, ctx.proxy !== null);
  if (!policy || !address) return d.run({ ...ctx, deadlineMs: d.deadlineMs, signal });
  // Before this family has an answer of its own, the same server's other family bounds its silence
  // (a black-holed IPv6 is then cut as soon as the IPv4 round trip allows, as before).
  const other = d.host !== undefined && d.family === 6 ? ctx.addressOf(d.host, 4) : undefined;
  const attempt = (deadlineMs: number, markSilent: boolean, onHeard?: () => void) =>
    withSilentDeadline(
      {
        registry,
        address,
        ...(other ? { fallbackAddress: other } : {}),
        ceilingMs: deadlineMs,
        mode: policy.mode,
        markSilent,
        signal,
        ...(d.port !== undefined ? { port: d.port } : {}),
        ...(onHeard ? { onHeard } : {}),
      },
      (s) => d.run({ ...ctx, deadlineMs, signal: s }),
    );
  if (!mayRetry(d, ctx.proxy !== null)) return attempt(d.deadlineMs, policy.markSilent);
  // the first try's silence is marked only once it is not tried again (below)
  let heard = false;
  const first = await attempt(d.deadlineMs, false, () => {
    heard = true;
  });
  const ranOut = first.reason === 'timeout' && first.evidence['deadline'] === undefined;
  const longer = ranOut && heard && !signal.aborted ? slowLinkDeadline(registry, address, d.deadlineMs) : null;
  if (!longer || ctx.remainingMs() < longer.ms + 1000) {
    if (first.reason === 'timeout' && policy.markSilent && d.port !== undefined) registry.markSilent(address, d.port);
    return first;
  }
  const second = await attempt(longer.ms, policy.markSilent);
  const why = `the first try's ${d.deadlineMs} ms ran out on a link whose round trips to ${longer.from} read ${Math.round(longer.rttMs)} ms`;
  const worked = second.status === 'pass' || second.status === 'warn';
  return {
    ...second,
    detail: worked
      ? `${second.detail.replace(/\.$/, '')}, on a second try with ${longer.ms} ms (${why}: calls over this link will be slow to set up).`
      : `${second.detail} That was a second try with ${longer.ms} ms: ${why}.`,
    evidence: {
      ...second.evidence,
      slowLink: {
        firstDeadlineMs: d.deadlineMs,
        deadlineMs: longer.ms,
        rttMs: Math.round(longer.rttMs * 10) / 10,
        from: longer.from,
      },
    },
  };
}
