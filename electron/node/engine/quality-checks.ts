import { supports } from '#common/quality/grade';
import { qualityRates, type QualityPath, type QualityRates, type QualityResult } from '#common/quality/schema';
import { familyId, familyOf, type Family } from '#common/report/family';
import { isReason } from '#common/report/reason';
import { measureStunEcho } from '../quality/stun-echo';
import { measureTurnQuality, type QualityMeasurement } from '../quality/turn-stream';
import type { CheckContext } from './check';
import type { Outcome } from './outcome';

/**
 * The engine's view of the call-quality measurements (node/quality): when one is worth running,
 * and its result as an Outcome for toCheck() plus the report's `quality[]` entry (handed over
 * through ctx.reportQuality). See docs/quality.md.
 */

/** Shortest budget worth starting a stream with, ms: less cannot ramp past a few windows. */
const MIN_BUDGET_MS = 1000;
/** Kept back before the run's overall deadline, so the report is still complete. */
const DEADLINE_RESERVE_MS = 400;
/** STUN echo length, ms: round trip, jitter and loss need no more than a second at 50 packets/s. */
const ECHO_MS = 1000;

export interface QualityCheckOptions {
  /** Budget of one measurement, ms (each ≤ this; the "at most 3 s per path"). */
  budgetMs: number;
  rates: Partial<QualityRates> | undefined;
  /** The family this measurement is pinned to (its check's `family`): its entry says so, a twin's id ends in `/v6`. */
  family?: Family;
}

const notNeeded = (detail: string): Outcome => ({ status: 'skipped', reason: 'not-needed', detail, evidence: {} });

/**
 * Why a measurement of `path` over `family` is not needed given what this run measured before it
 * (measurements run one at a time, in ladder order), or undefined when it is. Media takes TCP/TLS
 * only when UDP fails, over either family (the verdict takes the better rung of the two), so a UDP
 * relay that carries calls makes the TCP and TLS measurements moot; of several servers on one
 * transport, the first that works over a family answers for the transport over that family (each
 * family's verdict is judged on its own entries, analysis/family.ts).
 */
export function qualityNotNeeded(
  path: QualityPath,
  soFar: readonly QualityResult[],
  rates: QualityRates,
  family: Family = 4,
): string | undefined {
  const engine = soFar.filter((q) => q.sensor === 'engine');
  if (engine.some((q) => q.path === path && familyOf(q) === family))
    return `Not measured: another server already answered for ${pathWords(path)}.`;
  if (path === 'turn-tcp' || path === 'turn-tls') {
    const udp = engine.find((q) => q.path === 'turn-udp' && supports(q, rates) !== 'none');
    if (udp)
      return `Not measured: TURN over UDP carries calls here (measured), and media takes TCP or TLS only when UDP fails.`;
    if (path === 'turn-tls' && engine.some((q) => q.path === 'turn-tcp' && supports(q, rates) !== 'none')) {
      return 'Not measured: TURN over TCP carries calls here (measured), and media takes TLS only when TCP fails.';
    }
  }
  return undefined;
}

function pathWords(path: QualityPath): string {
  return {
    'direct-udp': 'direct UDP',
    'direct-tcp': 'direct TCP',
    'turn-udp': 'TURN over UDP',
    'turn-tcp': 'TURN over TCP',
    'turn-tls': 'TURN over TLS',
  }[path];
}

/** The budget this measurement may use: its own, cut to what is left of the run; undefined when too little is left. */
function budget(ctx: CheckContext, want: number): number | undefined {
  const ms = Math.min(want, ctx.remainingMs() - DEADLINE_RESERVE_MS);
  return ms >= MIN_BUDGET_MS ? Math.floor(ms) : undefined;
}

const TOO_LATE = 'Not measured: too little time was left before the diagnosis deadline.';

/** A measurement as a check outcome; its entry goes to the report. */
function toOutcome(m: QualityMeasurement, ctx: CheckContext, family: Family | undefined): Outcome {
  if (m.quality) {
    const q = family ? { ...m.quality, id: familyId(m.quality.id, family), family } : m.quality;
    ctx.reportQuality(q);
    const poor = q.grade === 'poor' || q.grade === 'unusable';
    return {
      status: poor ? 'warn' : 'pass',
      reason: poor ? 'poor-quality' : 'ok',
      detail: m.detail,
      ...(q.rttMs !== null ? { rttMs: q.rttMs } : {}),
      evidence: { ...m.evidence, quality: q.id, grade: q.grade },
    };
  }
  const reason = isReason(m.reason) ? m.reason : m.reason === 'no-answer' ? 'timeout' : 'engine-error';
  return { status: 'fail', reason, detail: m.detail, evidence: { ...m.evidence, measurement: m.reason } };
}

export async function turnQualityCheck(
  server: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' },
  address: string,
  path: QualityPath,
  ctx: CheckContext,
  o: QualityCheckOptions,
): Promise<Outcome> {
  const rates = qualityRates(o.rates);
  const why = qualityNotNeeded(path, ctx.qualitySoFar(), rates, o.family);
  if (why) return notNeeded(why);
  if (server.transport !== 'udp' && ctx.proxy) {
    return notNeeded(
      `Not measured by the engine: TURN over ${server.transport.toUpperCase()} goes through the proxy ${ctx.proxy.url} here, which this measurement cannot use (the app's in-page call measures it).`,
    );
  }
  const creds = ctx.credentials;
  if (!creds) return notNeeded('Not measured: there are no TURN credentials.');
  const ms = budget(ctx, o.budgetMs);
  if (ms === undefined) return notNeeded(TOO_LATE);
  const m = await measureTurnQuality(
    { host: address, port: server.port, transport: server.transport },
    { username: creds.username, credential: creds.credential },
    {
      deadlineMs: ms,
      signal: ctx.signal,
      rates,
      hostLabel: server.host,
      // Over IPv6 ask for IPv6 relays, as the TURN check's twin does: what an IPv6 client gets.
      ...(o.family === 6 ? { relayFamily: 6 as const } : {}),
      ...(server.transport === 'tls' ? { tls: { servername: server.host, ...(ctx.ca ? { ca: ctx.ca } : {}) } } : {}),
    },
  );
  return toOutcome(m, ctx, o.family);
}

export async function directQualityCheck(
  server: { host: string; port: number },
  address: string,
  ctx: CheckContext,
  o: QualityCheckOptions,
): Promise<Outcome> {
  const rates = qualityRates(o.rates);
  const why = qualityNotNeeded('direct-udp', ctx.qualitySoFar(), rates, o.family);
  if (why) return notNeeded(why);
  const ms = budget(ctx, Math.min(o.budgetMs, ECHO_MS + 500));
  if (ms === undefined) return notNeeded(TOO_LATE);
  const m = await measureStunEcho(
    { host: address, port: server.port, transport: 'udp' },
    {
      durationMs: Math.min(ECHO_MS, ms - 500),
      deadlineMs: ms,
      signal: ctx.signal,
      rates,
      hostLabel: server.host,
    },
  );
  return toOutcome(m, ctx, o.family);
}
