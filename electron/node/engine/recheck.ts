import { analyze } from '../../common/analysis/verdicts';
import { intersectRanges } from '../../common/net/ranges';
import type { Profile } from '../../common/profile/schema';
import type { Report } from '../../common/report/schema';
import { diagnose, type DiagnoseOptions } from './diagnose';

/** The ids a re-check runs: every failed or unfinished check, and every range with a blocked part. */
export function failedIds(previous: Report): Set<string> {
  const ids = new Set<string>();
  for (const c of previous.checks) if ((c.status === 'fail' || c.status === 'skipped') && c.kind !== 'webrtc') ids.add(c.id);
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
    ...(onEvent ? { onEvent: (e) => { if (e.type !== 'done') onEvent(e); } } : {}),
  });
  const freshById = new Map(fresh.checks.map((c) => [c.id, c]));
  const checks = previous.checks.map((c) => freshById.get(c.id) ?? c);
  for (const c of fresh.checks) if (!previous.checks.some((p) => p.id === c.id)) checks.push(c);
  const ranges = previous.ranges.map((r) => fresh.ranges.find((f) => f.id === r.id) ?? r);
  const natRerun = [...only].some((id) => id.startsWith('nat:'));
  const nat = natRerun ? fresh.nat : previous.nat;
  const complete = fresh.complete && previous.complete;
  const analysis = analyze({ profile, rooms: previous.rooms, checks, ranges, nat, host: fresh.host, complete });
  const report: Report = { ...fresh, startedAt: fresh.startedAt, checks, ranges, nat, complete, ...analysis };
  onEvent?.({ type: 'done', runId: report.id ?? '', report });
  return report;
}
