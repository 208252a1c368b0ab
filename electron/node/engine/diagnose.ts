import { randomUUID } from 'node:crypto';
import type { Profile } from '#common/profile/schema';
import type { QualityResult } from '#common/quality/schema';
import type { DiagnosisEvent } from '#common/report/progress';
import type { Reason } from '#common/report/reason';
import { unknownNat, type CheckResult, type HostFacts, type Report, type RoomType } from '#common/report/schema';
import { resolveCredentials, type ObtainedCredentials } from '../credentials';
import type { TurnCredentials } from '../stun/turn';
import { readCaPem } from '../profiles/ca';
import { hostFacts } from '../host/facts';
import { proxyFromEnv, type ProxyChoice } from '../net/proxy';
import { toPlanned, type CheckContext, type Plan } from './check';
import { createLimiter } from './limiter';
import { skipped } from './outcome';
import { DEFAULT_TIMEOUTS, planDiagnosis, type Timeouts } from './plan';
import { RANGE_CONCURRENCY } from './stun-checks';
import type { LocalFirewallSource } from './layers';
import { buildReport } from './report';
import { within } from './within';
import { ipv6Usable, settleFamilies } from './families';
import net from 'node:net';
import { RttRegistry } from './deadlines';
import { record, runCheck, runRanges, runSerial, runWhenReady, type Run } from './execute';
import { createLinkPacer } from '../range/pace';

export { DEFAULT_TIMEOUTS, type Timeouts } from './plan';

export interface DiagnoseOptions {
  runId?: string;
  rooms?: RoomType[];
  /** Whole-diagnosis deadline (default 10 s). A fully blocked network still gets a full report by then. */
  deadlineMs?: number;
  signal?: AbortSignal;
  onEvent?: (e: DiagnosisEvent) => void;
  /** TURN credentials given on the command line or by the app; they override the profile's. */
  credentials?: TurnCredentials | null;
  /** Extra CA (PEM text) trusted in addition to the system roots and the profile's `tls.ca`. */
  ca?: string;
  env?: Record<string, string | undefined>;
  /** Electron's session.resolveProxy, when running in the app. */
  resolveProxy?: (url: string) => Promise<string>;
  /** Checks already measured elsewhere (the renderer's WebRTC suite), merged before analysis. */
  extraChecks?: CheckResult[];
  concurrency?: number;
  /** Per-check deadlines, ms. */
  timeouts?: Partial<Timeouts>;
  /** Run only these check/range ids (DNS always runs); used by recheck() after a firewall fix. */
  only?: ReadonlySet<string>;
  /** Reads this machine's firewall rules, to tell local from perimeter drops (default: detect; null: never). */
  localFirewall?: LocalFirewallSource | null;
  /**
   * Call quality on the paths that work (docs/quality.md): off unless enabled; `seconds` is each
   * measurement's budget (default 3, at most 10). `after`: the streams also wait for it (the app's
   * main resolves it when the page's own tests, which share the link, are finished); a stream that
   * is not needed is still skipped at once.
   */
  quality?: { enabled: boolean; seconds?: number; after?: Promise<unknown> };
  /** Quality entries measured elsewhere (the page's own call), merged before analysis. */
  extraQuality?: QualityResult[];
}

/** Default and largest budget of one quality measurement, seconds. */
export const QUALITY_SECONDS = { default: 3, max: 10 } as const;

export class DiagnosisError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DiagnosisError';
  }
}

/** Reads the profile's `tls.ca`: PEM text as is, otherwise a file path. */
async function profileCa(profile: Profile, extra?: string): Promise<string | undefined> {
  const parts: string[] = [];
  const ca = profile.tls?.ca;
  if (ca) {
    try {
      parts.push(await readCaPem(ca));
    } catch (e) {
      throw new DiagnosisError('invalid-profile', `tls.ca: ${(e as Error).message}`);
    }
  }
  if (extra) parts.push(extra);
  return parts.length ? parts.join('\n') : undefined;
}

/**
 * Runs one diagnosis: profile → plan (check descriptors) → checks (concurrent, each with its own
 * deadline, one overall deadline) → analysis → report. Progress is streamed through `onEvent`.
 * Cancelling `signal` closes every socket at once and still returns a (partial, `complete: false`)
 * report. The checks themselves are described in plan.ts; this file only schedules them.
 */
export async function diagnose(profile: Profile, opts: DiagnoseOptions = {}): Promise<Report> {
  const run = await openRun(profile, opts);
  const disarm = armDeadline(run, opts);
  run.emit({ type: 'plan', runId: run.runId, checks: run.planned });
  try {
    const credentials = startCredentials(run, opts);
    const hostP = hostFacts({ env: opts.env ?? process.env });
    // Phase 1: names (with host facts and credentials on the way); phase 2: every network check.
    await Promise.all(
      run.plan.checks.filter((d) => d.provides).map((d) => runCheck(run, d, baseContext(run, null, null))),
    );
    const proxy = await within(chooseProxy(profile, opts), 2000, null);
    run.host = await hostWithin(hostP, proxy);
    settle(run, proxy);
    const ctx = baseContext(run, proxy, await credentials);
    // Serial checks (quality) wait for what they need, one group at a time; the rest run at once.
    const started = new Map<string, Promise<unknown>>();
    for (const d of run.plan.checks.filter((x) => !x.provides && !x.serial))
      started.set(d.id, runWhenReady(run, d, ctx));
    // Range discovery crosses the same link as the quality streams: they measure after it. Both
    // families at once: IPv6 costs no extra wall time, and a black-holed one at most a deadline.
    const ranges = Promise.all((['udp', 'tcp'] as const).flatMap((p) => [runRanges(run, p, 4), runRanges(run, p, 6)]));
    const link = Promise.race([Promise.all([ranges, opts.quality?.after]), aborted(run.controller.signal)]);
    await Promise.all([...started.values(), runSerial(run, ctx, started, ranges, link), ranges]);
  } finally {
    disarm();
  }
  markUnfinished(run);
  const report = await buildReport(run, opts);
  run.emit({ type: 'done', runId: run.runId, report });
  return report;
}

async function openRun(profile: Profile, opts: DiagnoseOptions): Promise<Run> {
  const rooms = (opts.rooms ?? ['group', 'p2p']).filter((r) => (r === 'group' ? profile.group : profile.p2p));
  const ca = await profileCa(profile, opts.ca); // throws before anything is armed: a bad CA is a bad profile
  const hasCredentials = Boolean(opts.credentials) || profile.credentials.type !== 'none';
  const quality = opts.quality?.enabled ? { seconds: qualitySeconds(opts.quality.seconds) } : undefined;
  const full = planDiagnosis(profile, {
    rooms,
    hasCredentials,
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
    ...(quality ? { quality } : {}),
    ipv6: true,
  });
  // Names always run: the checks that were asked for need them.
  const wanted = (d: { id: string; provides?: unknown }) =>
    !opts.only || opts.only.has(d.id) || d.provides !== undefined;
  const plan: Plan = { checks: full.checks.filter(wanted), ranges: full.ranges.filter(wanted) };
  return {
    profile,
    rooms,
    ca,
    plan,
    runId: opts.runId ?? randomUUID(),
    startedAt: new Date().toISOString(),
    t0: performance.now(),
    controller: new AbortController(),
    // IPv6 twins join the plan once names have resolved (settle), where they can run.
    planned: [...plan.checks, ...plan.ranges].filter((d) => d.family !== 6).map(toPlanned),
    emit: (e) => opts.onEvent?.(e),
    limit: createLimiter(opts.concurrency ?? 12),
    results: new Map(),
    ranges: [],
    nat: unknownNat(),
    addresses: new Map(),
    quality: [],
    deadlineAt: performance.now() + (opts.deadlineMs ?? DEFAULT_DEADLINE_MS),
    rtt: new RttRegistry(),
    // Every range batch of the run (UDP and TCP, both families) shares one window: one link.
    link: createLinkPacer({ max: 2 * RANGE_CONCURRENCY }),
  };
}

function qualitySeconds(s: number | undefined): number {
  if (s === undefined) return QUALITY_SECONDS.default;
  if (!Number.isFinite(s) || s <= 0 || s > QUALITY_SECONDS.max)
    throw new DiagnosisError(
      'invalid-options',
      `quality.seconds must be more than 0 and at most ${QUALITY_SECONDS.max}, not ${s}`,
    );
  return s;
}

const DEFAULT_DEADLINE_MS = 10_000;

/** The overall deadline and the caller's cancel, both aborting the run; returns the cleanup. */
function armDeadline(run: Run, opts: DiagnoseOptions): () => void {
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const overall = setTimeout(
    () => run.controller.abort(new DiagnosisError('deadline', `overall deadline of ${deadlineMs} ms reached`)),
    deadlineMs,
  );
  const onOuterAbort = () => run.controller.abort(new DiagnosisError('cancelled', 'cancelled'));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  return () => {
    clearTimeout(overall);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  };
}

/**
 * Starts obtaining TURN credentials. Settled here, not where it is awaited: a token API that fails
 * during the name phase must not become an unhandled rejection.
 */
function startCredentials(run: Run, opts: DiagnoseOptions): Promise<ObtainedCredentials | null> {
  const pending: Promise<ObtainedCredentials | null> = opts.credentials
    ? Promise.resolve({ ...opts.credentials, source: 'cli' as const })
    : resolveCredentials(run.profile.credentials, {
        deadlineMs: { ...DEFAULT_TIMEOUTS, ...opts.timeouts }.tls,
        signal: run.controller.signal,
      });
  return pending.catch((e: Error) => {
    run.credentialError = e.message;
    return null;
  });
}

/** Host facts must not hold the run up: a slow /proc read gets a short budget. */
async function hostWithin(facts: Promise<HostFacts>, proxy: ProxyChoice | null): Promise<HostFacts> {
  const fallback: HostFacts = {
    os: `${process.platform}`,
    interfaces: [],
    vpn: false,
    vpnReason: 'not read in time',
    proxy: null,
  };
  return { ...(await within(facts, 2000, fallback)), proxy: proxy ? { url: proxy.url, source: proxy.source } : null };
}

/** What every check of this run sees, minus its own signal. */
function baseContext(
  run: Run,
  proxy: ProxyChoice | null,
  credentials: ObtainedCredentials | null,
): Omit<CheckContext, 'signal'> {
  return {
    proxy,
    credentials,
    ...(run.ca ? { ca: run.ca } : {}),
    addressOf: (name, family) => {
      const a = run.addresses.get(name);
      return family ? a?.[family] : (a?.[4] ?? a?.[6]);
    },
    learnAddress: (name, address) => {
      const f = net.isIP(address);
      const a = run.addresses.get(name) ?? {};
      if ((f === 4 || f === 6) && a[f] === undefined) run.addresses.set(name, { ...a, [f]: address });
    },
    reportNat: (nat) => {
      run.nat = nat;
      run.emit({ type: 'nat', runId: run.runId, result: nat });
    },
    reportQuality: (q) => {
      run.quality.push(q);
    },
    qualitySoFar: () => run.quality,
    resultOf: (id) => run.results.get(id),
    remainingMs: () => run.deadlineAt - performance.now(),
  };
}

/** Resolves when the signal aborts (never rejects). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Once names resolved and host facts are in: withdraws the family variants this run cannot use
 * (families.ts) and, when that changes what the views were shown, emits the plan again.
 */
function settle(run: Run, proxy: ProxyChoice | null): void {
  run.plan = settleFamilies(run.plan, {
    ipv6Usable: ipv6Usable(run.host),
    proxy: proxy !== null,
    has: (name, f) => run.addresses.get(name)?.[f] !== undefined,
  });
  const planned = [...run.plan.checks, ...run.plan.ranges].map(toPlanned);
  const same = planned.length === run.planned.length && planned.every((p, i) => p.id === run.planned[i]?.id);
  run.planned = planned;
  if (!same) run.emit({ type: 'plan', runId: run.runId, checks: planned });
}

/** Every planned check without a result did not finish: skipped, saying whether a cancel or the deadline stopped it. */
function markUnfinished(run: Run): void {
  const why: Reason =
    run.controller.signal.reason instanceof DiagnosisError && run.controller.signal.reason.code === 'cancelled'
      ? 'cancelled'
      : 'deadline';
  const detail =
    why === 'cancelled' ? 'Not run: the diagnosis was cancelled.' : 'Not finished before the diagnosis deadline.';
  for (const d of run.plan.checks) {
    if (!run.results.has(d.id)) record(run, skipped({ id: d.id, kind: d.kind }, why, detail));
  }
}

/**
 * The proxy a browser would use for TURN over TCP/TLS: Electron's resolveProxy in the app,
 * the environment (HTTPS_PROXY, NO_PROXY) from the CLI.
 */
async function chooseProxy(profile: Profile, opts: DiagnoseOptions): Promise<ProxyChoice | null> {
  const url = firstTlsUrl(profile);
  if (opts.resolveProxy) {
    const answer = await opts.resolveProxy(url).catch(() => 'DIRECT');
    const m = /^(?:PROXY|HTTPS)\s+([^\s;:]+):(\d+)/.exec(answer.trim());
    if (m) return { host: m[1]!, port: Number(m[2]), url: `http://${m[1]}:${m[2]}`, source: 'system (resolveProxy)' };
    return null;
  }
  return proxyFromEnv(opts.env ?? process.env, url);
}

function firstTlsUrl(profile: Profile): string {
  const t = profile.turn.find((x) => x.transport === 'tls') ?? profile.signaling[0];
  return t ? `https://${t.host}:${t.port}` : 'https://example.com';
}
