import { randomUUID } from 'node:crypto';
import type { Profile } from '#common/profile/schema';
import type { QualityResult } from '#common/quality/schema';
import type { DiagnosisEvent, PlannedCheck } from '#common/report/progress';
import type { Reason } from '#common/report/reason';
import {
  unknownNat,
  type CheckResult,
  type HostFacts,
  type NatResult,
  type RangeResult,
  type Report,
  type RoomType,
} from '#common/report/schema';
import { resolveCredentials, type ObtainedCredentials } from '../credentials';
import type { TurnCredentials } from '../stun/turn';
import { readCaPem } from '../profiles/ca';
import { hostFacts } from '../host/facts';
import { proxyFromEnv, type ProxyChoice } from '../net/proxy';
import {
  serialSkip,
  toPlanned,
  type CheckContext,
  type CheckDescriptor,
  type Plan,
  type RangeDescriptor,
} from './check';
import { createLimiter } from './limiter';
import { skipped, toCheck, type CheckMeta, type Outcome } from './outcome';
import { DEFAULT_TIMEOUTS, planDiagnosis, type Timeouts } from './plan';
import { measureRanges, RANGE_CONCURRENCY } from './stun-checks';
import type { LocalFirewallSource } from './layers';
import { buildReport } from './report';
import { within } from './within';
import { ipv6Usable, settleFamilies } from './families';
import net from 'node:net';
import { RttRegistry } from './deadlines';
import { runProbe, SLOW_LINK } from './probe-run';
import { createLinkPacer, type LinkPacer } from '../range/pace';

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

/** The state of one run, shared by the small steps below. */
interface Run {
  profile: Profile;
  runId: string;
  rooms: RoomType[];
  startedAt: string;
  t0: number;
  ca: string | undefined;
  /** Aborts on the overall deadline or a cancel, with a DiagnosisError saying which. */
  controller: AbortController;
  /** The descriptors this run executes (a re-check keeps only what it asked for, plus names). */
  plan: Plan;
  planned: PlannedCheck[];
  emit: (e: DiagnosisEvent) => void;
  limit: ReturnType<typeof createLimiter>;
  results: Map<string, CheckResult>;
  ranges: RangeResult[];
  nat: NatResult;
  /** The first address of each family every name resolved to. */
  addresses: Map<string, { 4?: string; 6?: string }>;
  credentialError?: string;
  host?: HostFacts;
  /** Call-quality entries measured by this run. */
  quality: QualityResult[];
  /** performance.now() of the overall deadline. */
  deadlineAt: number;
  /** Round trips measured so far: they bound how long a silent probe waits (deadlines.ts). */
  rtt: RttRegistry;
  link: LinkPacer;
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

/**
 * The serial groups (measurements sharing a bottleneck), each one check at a time in plan order,
 * the groups side by side, after `after`. A check waits for the checks it `needs.passed`; when none
 * of them passed (or none ran) it is recorded as skipped, saying which; otherwise it also waits for
 * `link` (the link is free of other measurements) and runs.
 */
async function runSerial(
  run: Run,
  ctx: Omit<CheckContext, 'signal'>,
  started: ReadonlyMap<string, Promise<unknown>>,
  after: Promise<unknown>,
  link: Promise<unknown>,
): Promise<void> {
  await after;
  const groups = new Map<string, CheckDescriptor[]>();
  for (const d of run.plan.checks)
    if (d.serial && !d.provides) groups.set(d.serial, [...(groups.get(d.serial) ?? []), d]);
  await Promise.all(
    [...groups.values()].map(async (list) => {
      for (const d of list) {
        const { passed = [], unlessPassed } = d.needs ?? {};
        await Promise.all([...passed, ...(unlessPassed?.ids ?? [])].map((id) => started.get(id)));
        if (run.controller.signal.aborted) return;
        const why = serialSkip(d, (id) => run.results.get(id)?.status);
        if (why) {
          record(run, skipped(metaOf(d), 'not-needed', why));
          continue;
        }
        await link;
        if (run.controller.signal.aborted) return;
        await runWhenReady(run, d, ctx);
      }
    }),
  );
}

/** Resolves when the signal aborts (never rejects). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function metaOf(d: CheckDescriptor): CheckMeta {
  return {
    id: d.id,
    kind: d.kind,
    ...(d.transport ? { transport: d.transport } : {}),
    ...(d.host !== undefined ? { host: d.host } : {}),
    ...(d.port !== undefined ? { port: d.port } : {}),
    ...(d.family ? { family: d.family } : {}),
  };
}

function record(run: Run, c: CheckResult): CheckResult {
  run.results.set(c.id, c);
  run.emit({ type: 'check', runId: run.runId, result: c });
  return c;
}

/** Runs a check whose needs are met; records why not otherwise (or nothing, if it was never possible). */
function runWhenReady(
  run: Run,
  d: CheckDescriptor,
  ctx: Omit<CheckContext, 'signal'>,
): Promise<CheckResult | undefined> {
  const needs = d.needs ?? {};
  if (needs.credentials && !ctx.credentials) {
    if (!run.credentialError) return Promise.resolve(undefined);
    return Promise.resolve(
      record(run, skipped(metaOf(d), 'credentials-failed', 'Not run: the TURN credentials could not be obtained.')),
    );
  }
  if (needs.name && !ctx.addressOf(needs.name) && !(needs.proxyResolves && ctx.proxy)) {
    return Promise.resolve(
      record(run, skipped(metaOf(d), 'dns-failed', `Skipped: ${needs.name} could not be resolved.`)),
    );
  }
  if (needs.name && d.family && !ctx.addressOf(needs.name, d.family) && !(needs.proxyResolves && ctx.proxy)) {
    const detail = `Skipped: ${needs.name} has no IPv${d.family} address.`;
    return Promise.resolve(record(run, skipped(metaOf(d), 'family-missing', detail)));
  }
  return runCheck(run, d, ctx);
}

/** Runs one descriptor under the limiter, its own deadline and the run's signal; never throws. */
function runCheck(run: Run, d: CheckDescriptor, ctx: Omit<CheckContext, 'signal'>): Promise<CheckResult | undefined> {
  const { signal: runSignal } = run.controller;
  return run
    .limit(async () => {
      const start = performance.now();
      // the probe's own deadline, a second try's on a slow link (probe-run.ts), and a grace second
      const signal = AbortSignal.any([
        runSignal,
        AbortSignal.timeout(d.deadlineMs * (1 + SLOW_LINK.maxStretch) + 1000),
      ]);
      let outcome: Outcome;
      try {
        outcome = await runProbe(run.rtt, d, ctx, signal);
      } catch (e) {
        outcome = {
          status: 'fail',
          reason: 'engine-error',
          detail: `The check failed unexpectedly: ${(e as Error).message}`,
          evidence: {},
        };
      }
      if (runSignal.aborted && outcome.reason === 'aborted') return undefined;
      return record(run, toCheck(metaOf(d), outcome, performance.now() - start));
    }, runSignal)
    .catch(() => undefined);
}

/** The wanted ranges of one protocol, measured together against the reflector (once its name resolved). */
async function runRanges(run: Run, protocol: RangeDescriptor['protocol'], family: 4 | 6): Promise<void> {
  const list = run.plan.ranges.filter((r) => r.protocol === protocol && (r.family ?? 4) === family);
  const first = list[0];
  const reflectorIp = first && run.addresses.get(first.host)?.[family];
  if (!first || !reflectorIp) return;
  const results = await measureRanges(protocol, list, first.host, reflectorIp, {
    deadlineMs: first.deadlineMs,
    probeDeadlineMs: first.probeDeadlineMs,
    signal: run.controller.signal,
    ...(first.family ? { family: first.family } : {}),
    rtt: run.rtt,
    link: run.link,
  });
  for (const r of results) {
    run.ranges.push(r);
    run.emit({ type: 'range', runId: run.runId, result: r });
  }
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
