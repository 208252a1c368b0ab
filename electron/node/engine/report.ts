import { analyzeByFamily } from '#common/analysis/family';
import { proxyAuthFacts } from '#common/analysis/proxy-auth';
import type { Profile } from '#common/profile/schema';
import type { QualityResult } from '#common/quality/schema';
import type { PlannedCheck } from '#common/report/progress';
import {
  REPORT_SCHEMA_VERSION,
  type CheckResult,
  type HostFacts,
  type NatResult,
  type RangeResult,
  type Report,
  type RoomType,
} from '#common/report/schema';
import { detectLocalFirewall } from '../firewall/detect';
import { reportLocalFirewall } from '../firewall/report-local';
import { refineLayers, type LocalFirewallSource } from './layers';
import { TOOL_VERSION } from './version';
import { within } from './within';

/**
 * The report of one run (docs/architecture.md, "The report"): the results in plan order, the local
 * firewall when something failed, the per-family analysis, and the run's facts. diagnose.ts runs
 * the checks; this only assembles what they found.
 */

/** What a run hands over to its report. */
export interface ReportParts {
  profile: Profile;
  runId: string;
  rooms: RoomType[];
  startedAt: string;
  t0: number;
  controller: AbortController;
  planned: PlannedCheck[];
  results: Map<string, CheckResult>;
  ranges: RangeResult[];
  nat: NatResult;
  credentialError?: string;
  host?: HostFacts;
  quality: QualityResult[];
}

/** What the caller adds (the app's in-page results) and how the local firewall is read. */
export interface ReportExtras {
  extraChecks?: CheckResult[];
  extraQuality?: QualityResult[];
  /** undefined: detect on this machine; null: do not look. */
  localFirewall?: LocalFirewallSource | null;
}

export async function buildReport(run: ReportParts, opts: ReportExtras): Promise<Report> {
  const complete = !run.controller.signal.aborted;
  const checks = [...run.results.values(), ...(opts.extraChecks ?? [])];
  const source =
    opts.localFirewall === undefined
      ? () => detectLocalFirewall({ timeoutMs: 2000 })
      : (opts.localFirewall ?? undefined);
  // Only when something failed: the report then records what the local firewall looked like
  // (firewall.local), and a timeout matching a local drop moves to `local`. Runs after the deadline
  // too (it explains what the deadline found), so it has a budget of its own.
  const failed = checks.some((c) => c.status === 'fail') || run.ranges.some((r) => r.blocked.length > 0);
  const detection = source && failed ? await within(source(), 2500, null) : null;
  if (detection) await refineLayers(checks, run.ranges, async () => detection);
  const { profile, rooms, ranges, nat } = run;
  const host = run.host!;
  // Which proxy asked for credentials, for which scheme, and whether the app's browser got through.
  const proxyAuth = proxyAuthFacts(checks);
  if (proxyAuth && host.proxy) host.proxy.auth = proxyAuth;
  const quality = [...run.quality, ...(opts.extraQuality ?? [])];
  const analysis = analyzeByFamily({ profile, rooms, checks, ranges, nat, host, complete, quality });
  const local = detection ? reportLocalFirewall(detection) : undefined;
  if (local) analysis.firewall.local = local;
  if (run.credentialError) {
    analysis.findings.push({
      code: 'credentials',
      severity: 'error',
      message: `TURN credentials could not be obtained: ${run.credentialError}`,
    });
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: run.runId,
    tool: { name: 'pathcheck', version: TOOL_VERSION },
    profile: { id: profile.id, name: profile.name, ...(profile.notice ? { notice: profile.notice } : {}) },
    rooms,
    startedAt: run.startedAt,
    durationMs: Math.round(performance.now() - run.t0),
    complete,
    host,
    checks: orderLike(
      run.planned.map((p) => p.id),
      checks,
    ),
    ranges,
    nat,
    ...(quality.length ? { quality } : {}),
    ...analysis,
  };
}

/** Report order = plan order (what a person reads top to bottom), extras at the end. */
function orderLike(ids: string[], checks: CheckResult[]): CheckResult[] {
  const pos = new Map(ids.map((id, i) => [id, i]));
  return [...checks].sort((a, b) => (pos.get(a.id) ?? 1e9) - (pos.get(b.id) ?? 1e9));
}
