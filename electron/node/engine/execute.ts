/**
 * Running the checks of one diagnosis (./diagnose.ts): each under the limiter, its own deadline
 * and the run's signal (./probe-run.ts), the serial groups that share a bottleneck one at a time,
 * and the range batches; every result recorded and emitted as it comes.
 */
import type { Profile } from '#common/profile/schema';
import type { QualityResult } from '#common/quality/schema';
import type { DiagnosisEvent, PlannedCheck } from '#common/report/progress';
import type { CheckResult, HostFacts, NatResult, RangeResult, RoomType } from '#common/report/schema';
import type { LinkPacer } from '../range/pace';
import { serialSkip, type CheckContext, type CheckDescriptor, type Plan, type RangeDescriptor } from './check';
import type { RttRegistry } from './deadlines';
import type { createLimiter } from './limiter';
import { skipped, toCheck, type CheckMeta, type Outcome } from './outcome';
import { mayRetry, runProbe, SLOW_LINK } from './probe-run';
import { measureRanges } from './stun-checks';

/** The state of one run, shared by the small steps below. */
export interface Run {
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

/**
 * The serial groups (measurements sharing a bottleneck), each one check at a time in plan order,
 * the groups side by side, after `after`. A check waits for the checks it `needs.passed`; when none
 * of them passed (or none ran) it is recorded as skipped, saying which; otherwise it also waits for
 * `link` (the link is free of other measurements) and runs.
 */
export async function runSerial(
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

export function metaOf(d: CheckDescriptor): CheckMeta {
  return {
    id: d.id,
    kind: d.kind,
    ...(d.transport ? { transport: d.transport } : {}),
    ...(d.host !== undefined ? { host: d.host } : {}),
    ...(d.port !== undefined ? { port: d.port } : {}),
    ...(d.family ? { family: d.family } : {}),
  };
}

export function record(run: Run, c: CheckResult): CheckResult {
  run.results.set(c.id, c);
  run.emit({ type: 'check', runId: run.runId, result: c });
  return c;
}

/** Runs a check whose needs are met; records why not otherwise (or nothing, if it was never possible). */
export function runWhenReady(
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
export function runCheck(
  run: Run,
  d: CheckDescriptor,
  ctx: Omit<CheckContext, 'signal'>,
): Promise<CheckResult | undefined> {
  const { signal: runSignal } = run.controller;
  return run
    .limit(async () => {
      const start = performance.now();
      // the probe's own deadline, a second try's on a slow link (probe-run.ts), and a grace second
      const signal = AbortSignal.any([
        runSignal,
        AbortSignal.timeout(d.deadlineMs * (mayRetry(d, ctx.proxy !== null) ? 1 + SLOW_LINK.maxStretch : 1) + 1000),
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
export async function runRanges(run: Run, protocol: RangeDescriptor['protocol'], family: 4 | 6): Promise<void> {
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
