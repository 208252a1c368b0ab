import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ladderProgress } from '#common/analysis/ladder-progress';
import { parseProfileJson, type Profile } from '#common/profile/schema';
import { v6Id } from '#common/report/family';
import type { PlannedCheck } from '#common/report/progress';
import type { Report } from '#common/report/schema';
import { LiveView } from '#node/cli/live';
import { planChecks } from '#node/engine/plan';
import { loadFixture } from '../../common/report/fixtures';

const LAB = join(__dirname, '../../../lab/profile.json');
function labProfile(): Profile {
  const r = parseProfileJson(readFileSync(LAB, 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
}

/** The lab plan over both families, as the contract spells it: each check and range, then its `/v6` twin. */
function dualPlan(profile: Profile): PlannedCheck[] {
  return planChecks(profile, { rooms: ['group', 'p2p'], hasCredentials: true }).flatMap((p) =>
    p.kind === 'dns' ? [p] : [p, { ...p, id: v6Id(p.id), family: 6 as const }],
  );
}

function replay(view: LiveView, report: Report, planned: PlannedCheck[]): void {
  view.onEvent({ type: 'plan', runId: 'r', checks: planned });
  for (const c of report.checks) view.onEvent({ type: 'check', runId: 'r', result: c });
  for (const x of report.ranges) view.onEvent({ type: 'range', runId: 'r', result: x });
  view.onEvent({ type: 'nat', runId: 'r', result: report.nat });
}

describe('CLI live lines on a dual-stack run', () => {
  it('counts the IPv6 twins apart in the plan line and indents their result lines', () => {
    const profile = labProfile();
    const planned = dualPlan(profile);
    const out: string[] = [];
    const view = new LiveView({ write: (s: string) => out.push(s) }, false, profile, ['group', 'p2p']);
    replay(view, loadFixture('v6-dropped'), planned);
    const v4 = planned.filter((p) => !p.id.endsWith('/v6')).length;
    expect(out[0]).toBe(`pathcheck: ${v4} checks (+ ${planned.length - v4} over IPv6) planned for ${profile.name}\n`);
    expect(out).toContain('turn:udp:turn.lab.test:3478: pass (ok) 1.1 ms\n');
    expect(out).toContain('  IPv6 turn:udp:turn.lab.test:3478/v6: fail (timeout)\n');
    expect(out.some((l) => l.startsWith('  IPv6 udp-range:group/v6: allowed '))).toBe(true);
  });

  it('the TTY count line says how many IPv6 twins finished beside the IPv4 checks', () => {
    const profile = labProfile();
    const planned = dualPlan(profile);
    const out: string[] = [];
    const view = new LiveView({ write: (s: string) => out.push(s) }, true, profile, ['group', 'p2p']);
    view.onEvent({ type: 'plan', runId: 'r', checks: planned });
    view.onEvent({ type: 'check', runId: 'r', result: loadFixture('v6-dropped').checks[0]! });
    view.finish();
    const v4 = planned.filter((p) => !p.id.endsWith('/v6')).length;
    expect(out.join('')).toContain(`1/${v4} checks finished (+ IPv6: 0/${planned.length - v4})`);
  });
});

describe('the live ladder over both families', () => {
  it('lights direct UDP when only the IPv6 range is open (IPv4 lets only TCP 443 through)', () => {
    const profile = labProfile();
    const r = loadFixture('v4-tcp-443-v6-open');
    const checks = new Map(r.checks.map((c) => [c.id, c]));
    const ladder = ladderProgress(profile, ['group'], dualPlan(profile), checks, r.ranges, r.nat);
    expect(ladder.group!.find((x) => x.rung === 'direct-udp')!.state).toBe('pass');
    const v4only = r.ranges.filter((x) => x.family !== 6);
    const before = ladderProgress(profile, ['group'], dualPlan(profile), checks, v4only, r.nat);
    expect(before.group!.find((x) => x.rung === 'direct-udp')!.state).toBe('pending');
    const closed = v4only.concat(
      r.ranges.filter((x) => x.family === 6).map((x) => ({ ...x, allowed: [], blocked: x.required })),
    );
    const after = ladderProgress(profile, ['group'], dualPlan(profile), checks, closed, r.nat);
    expect(after.group!.find((x) => x.rung === 'direct-udp')!.state).toBe('fail');
  });
});
