import type { PlannedCheck } from '#common/report/progress';
import type { QualityResult } from '#common/quality/schema';
import type { CheckKind, CheckResult, NatResult, RangeResult } from '#common/report/schema';
import type { ObtainedCredentials } from '../credentials';
import type { ProxyChoice } from '../net/proxy';
import type { Outcome } from './outcome';

/**
 * A check, described once by the plan (plan.ts) and only scheduled by the engine (diagnose.ts):
 * what it is (id, kind, where), how long it may take, what it needs before it can run, and how it
 * runs. The analysis, the ladder and the views read these fields from the results; nobody takes the
 * id apart. See docs/architecture.md, "Adding a probe".
 */
export interface CheckDescriptor {
  /** Report id, e.g. `turn:udp:turn.example.com:3478` (built with common/analysis/ids.ts). */
  id: string;
  kind: CheckKind;
  /** Short label for the live views, e.g. "TURN over TLS turn.example.com:443". */
  label: string;
  transport?: 'udp' | 'tcp' | 'tls';
  host?: string;
  port?: number;
  /** Address family the check is pinned to, when it is (none: whatever the name resolved to). */
  family?: 4 | 6;
  /** The probe's own deadline, ms; the engine adds a grace second before it gives up on the probe. */
  deadlineMs: number;
  /** A name this check resolves for the others (DNS): it runs first, and always, even in a re-check. */
  provides?: { name: string };
  needs?: CheckNeeds;
  /**
   * Measurements that share a bottleneck (every call-quality stream crosses this computer's link):
   * checks with the same `serial` group run one at a time, in plan order, each once the checks it
   * `needs.passed` have finished, while the other checks run as usual.
   */
  serial?: string;
  run(ctx: CheckContext): Promise<Outcome>;
}

export interface CheckNeeds {
  /** The name must have resolved; otherwise the check is recorded as skipped (`dns-failed`). */
  name?: string;
  /** …unless a proxy is in use: then the proxy resolves the name and the check runs anyway. */
  proxyResolves?: boolean;
  /** TURN credentials; when obtaining them failed the check is recorded as skipped (`credentials-failed`). */
  credentials?: boolean;
  /**
   * Ids of checks of which at least one must have passed (or warned) first, e.g. the TURN allocation
   * a quality stream runs over; the check waits for them, and is recorded as skipped (`not-needed`)
   * when none passed. Only for `serial` checks.
   */
  passed?: string[];
  /**
   * Ids of checks none of which may have passed: the check waits for them too, and is recorded as
   * skipped (`not-needed`, with `detail`) when one did — e.g. an IPv6 twin of a quality stream, which
   * runs only where its IPv4 path does not work (plan.ts, qualityFamilies). Only for `serial` checks.
   */
  unlessPassed?: { ids: string[]; detail: string };
}

/**
 * Why a `serial` check does not run, once the checks of its `needs.passed` and `needs.unlessPassed`
 * have finished (`statusOf` gives their results' status), or undefined when it runs: one of
 * `unlessPassed` passed (its detail), or none of `passed` did.
 */
export function serialSkip(d: CheckDescriptor, statusOf: (id: string) => string | undefined): string | undefined {
  const works = (id: string) => ['pass', 'warn'].includes(statusOf(id) ?? '');
  const { passed = [], unlessPassed } = d.needs ?? {};
  if (unlessPassed?.ids.some(works)) return unlessPassed.detail;
  if (passed.length > 0 && !passed.some(works))
    return `Not measured: ${passed.join(' / ')} did not pass, so there is no working path to measure.`;
  return undefined;
}

/** What a running check may use: its own signal, what the run has learned so far, and where to put more. */
export interface CheckContext {
  /** Aborts on the check's deadline, the overall deadline or a cancel. */
  signal: AbortSignal;
  /**
   * The address `name` resolved to in this run: of `family` when given (a check pinned to a family
   * uses only that one), else IPv4 preferred.
   */
  addressOf(name: string, family?: 4 | 6): string | undefined;
  /** Called by name-resolving checks. */
  learnAddress(name: string, address: string): void;
  proxy: ProxyChoice | null;
  credentials: ObtainedCredentials | null;
  /** Extra trusted CA (PEM): the profile's `tls.ca` and the caller's. */
  ca?: string;
  /** The NAT check hands its structured result over here (it becomes the report's `nat`). */
  reportNat(nat: NatResult): void;
  /** Quality measurements hand their entry over here (it becomes one of the report's `quality[]`). */
  reportQuality(q: QualityResult): void;
  /** The quality entries this run has measured so far (a later measurement may find its answer already clear). */
  qualitySoFar(): readonly QualityResult[];
  /** The result of a check of this run, once it has one. */
  resultOf(id: string): CheckResult | undefined;
  /** Ms left before the run's overall deadline. */
  remainingMs(): number;
  /**
   * The probe's own deadline for this try: the descriptor's `deadlineMs`, or longer when a slow
   * link asked for a second try (engine/probe-run.ts). Absent: the descriptor's.
   */
  deadlineMs?: number;
}

/**
 * A port range measured against the reflector. Ranges of one protocol are measured together (one
 * discovery answers all of them), so the engine batches these rather than running them one by one.
 */
export interface RangeDescriptor {
  id: string;
  kind: 'range';
  label: string;
  protocol: RangeResult['protocol'];
  /** The reflector's name. */
  host: string;
  required: Array<[number, number]>;
  /** Measured over this family towards the reflector's address of it (an IPv6 range's id ends in `/v6`). */
  family?: 4 | 6;
  deadlineMs: number;
  probeDeadlineMs: number;
}

export interface Plan {
  checks: CheckDescriptor[];
  ranges: RangeDescriptor[];
}

/** The part of a descriptor the live views see (the `plan` event). */
export function toPlanned(d: CheckDescriptor | RangeDescriptor): PlannedCheck {
  const family = d.family ? { family: d.family } : {};
  if (d.kind === 'range')
    return { id: d.id, kind: 'range', label: d.label, transport: d.protocol, host: d.host, ...family };
  return {
    ...family,
    id: d.id,
    kind: d.kind,
    label: d.label,
    ...(d.transport ? { transport: d.transport } : {}),
    ...(d.host !== undefined ? { host: d.host } : {}),
    ...(d.port !== undefined ? { port: d.port } : {}),
  };
}
