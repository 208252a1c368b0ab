import { analyzeByFamily } from '#common/analysis/family';
import { intersectRanges } from '#common/net/ranges';
import type { Profile } from '#common/profile/schema';
import type { QualityResult } from '#common/quality/schema';
import type { CheckResult, HostFacts, LocalFirewall, NatResult, RangeResult, Report } from '#common/report/schema';
import { diagnose, type DiagnoseOptions } from './diagnose';
import { planChecks } from './plan';

/** The ids a re-check runs: every failed or unfinished check, and every range with a blocked part. */
export function failedIds(previous: Report): Set<string> {
  const ids = new Set<string>();
  for (const c of previous.checks)
    if ((c.status === 'fail' || c.status === 'skipped') && c.kind !== 'webrtc' && c.kind !== 'quality') ids.add(c.id);
  for (const r of previous.ranges) if (intersectRanges(r.blocked, r.required).length > 0) ids.add(r.id);
  return ids;
}

/**
 * Re-runs only what failed in `previous` (after a firewall change) and merges the fresh results
 * over the old ones, so the user sees before/after for exactly the checks that mattered, in the
 * time those few checks take. Verdicts are recomputed from the merged evidence.
 */
export async function recheck(profile: Profile, previous: Report, opts: DiagnoseOptions = {}): Promise<Report> {
  const only = failedIds(previous);
  const { onEvent } = opts;
  const fresh = await diagnose(profile, {
    ...opts,
    rooms: previous.rooms,
    only,
    ...(onEvent
      ? {
          onEvent: (e) => {
            if (e.type !== 'done') onEvent(e);
          },
        }
      : {}),
  });
  const natRerun = previous.checks.some((c) => c.kind === 'nat' && only.has(c.id));
  // The in-app WebRTC tests are not repeated here: a browser failure from before the change must
  // not overrule a fresh engine pass, so failed ones are kept only as history.
  const stale = previous.checks
    .filter((c) => c.kind === 'webrtc' && c.status === 'fail')
    .map((c) => ({
      ...c,
      status: 'skipped' as const,
      reason: 'not-rerun' as const,
      detail: `Not repeated after the change (before: ${c.detail})`,
    }));
  const report = mergeResults(profile, previous, {
    checks: [...fresh.checks, ...stale],
    ranges: fresh.ranges,
    host: fresh.host,
    complete: fresh.complete,
    ...(natRerun ? { nat: fresh.nat } : {}),
    ...(fresh.firewall.local ? { local: fresh.firewall.local } : {}),
  });
  report.id = fresh.id;
  report.startedAt = fresh.startedAt;
  report.durationMs = fresh.durationMs;
  onEvent?.({ type: 'done', runId: report.id ?? '', report });
  return report;
}

export interface NewResults {
  checks: CheckResult[];
  ranges?: RangeResult[];
  nat?: NatResult;
  host?: HostFacts;
  complete?: boolean;
  /** What the local firewall looked like at this run (else the base report's stays). */
  local?: LocalFirewall;
  /** Quality entries; an entry with the id of an old one replaces it. */
  quality?: QualityResult[];
}

/**
 * Lays new results over a report (same id → replaced, new id → appended) and recomputes the
 * verdicts from the merged evidence. Used for re-checks and for the renderer's WebRTC results
 * (`webrtc:*` checks), so verdicts weigh both kinds of evidence.
 */
export function mergeResults(profile: Profile, base: Report, add: NewResults): Report {
  const byId = new Map(add.checks.map((c) => [c.id, c]));
  const checks = base.checks.map((c) => byId.get(c.id) ?? c);
  for (const c of add.checks) if (!base.checks.some((b) => b.id === c.id)) checks.push(c);
  const ranges = base.ranges.map((r) => add.ranges?.find((f) => f.id === r.id) ?? r);
  for (const r of add.ranges ?? []) if (!base.ranges.some((b) => b.id === r.id)) ranges.push(r);
  const nat = add.nat ?? base.nat;
  const host = add.host ?? base.host;
  const complete = (add.complete ?? true) && base.complete;
  const fresh = new Set((add.quality ?? []).map((q) => q.id));
  const quality = [...(base.quality ?? []).filter((q) => !fresh.has(q.id)), ...(add.quality ?? [])];
  const analysis = analyzeByFamily({ profile, rooms: base.rooms, checks, ranges, nat, host, complete, quality });
  const local = add.local ?? base.firewall.local;
  if (local) analysis.firewall.local = local;
  return { ...base, checks, ranges, nat, host, complete, ...(quality.length ? { quality } : {}), ...analysis };
}

/**
 * Keeps only what the profile plans: a report's checks and ranges whose ids the profile's own plan
 * has (and the page's WebRTC results). An imported report can hold any ids, ranges and
 * "required" ports; a re-check must not carry them over as if measured.
 */
export function keepPlanned(profile: Profile, report: Report): Report {
  const ids = new Set(planChecks(profile, { rooms: report.rooms, hasCredentials: true, ipv6: true }).map((p) => p.id));
  return {
    ...report,
    checks: report.checks.filter((c) => ids.has(c.id) || (c.kind === 'webrtc' && c.id.startsWith('webrtc:'))),
    ranges: report.ranges.filter((r) => ids.has(r.id)),
  };
}
