import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfileJson, type Profile } from '#common/profile/schema';
import { PlannedCheckSchema } from '#common/report/progress';
import { planChecks, planDiagnosis } from '#node/engine/plan';

const DIR = join(__dirname, '../../../../resources/profiles');
const profiles: Profile[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const r = parseProfileJson(readFileSync(join(DIR, f), 'utf8'));
    if (!r.ok) throw new Error(`${f}: ${JSON.stringify(r.errors)}`);
    return r.profile;
  });

describe('the plan: each check described once', () => {
  it.each(profiles.map((p) => [p.id, p] as const))(
    '%s: unique ids, and every name a check needs is resolved by a check of the plan',
    (_id, profile) => {
      const plan = planDiagnosis(profile, { rooms: ['group', 'p2p'], hasCredentials: true });
      const ids = [...plan.checks, ...plan.ranges].map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      const provided = new Set(plan.checks.flatMap((d) => (d.provides ? [d.provides.name] : [])));
      for (const d of plan.checks) if (d.needs?.name) expect(provided, d.id).toContain(d.needs.name);
      for (const r of plan.ranges) expect(provided, r.id).toContain(r.host);
    },
  );

  it.each(profiles.map((p) => [p.id, p] as const))(
    '%s: the plan event carries where each check goes, so views never parse ids',
    (_id, profile) => {
      const planned = planChecks(profile, { rooms: ['group', 'p2p'], hasCredentials: true });
      for (const p of planned) {
        expect(PlannedCheckSchema.parse(p)).toEqual(p);
        if (p.kind === 'turn') {
          const server = profile.turn.find(
            (t) => t.transport === p.transport && t.host === p.host && t.port === p.port,
          );
          expect(server, p.id).toBeDefined();
        }
      }
      expect(planned.filter((p) => p.kind === 'turn')).toHaveLength(profile.turn.length);
    },
  );

  it('plans the relay proof only with credentials, and the ranges only for the rooms asked for', () => {
    const profile = profiles.find((p) => p.reflector && p.group && p.p2p && p.turn.some((t) => t.transport === 'udp'));
    if (!profile) return expect.fail('a built-in profile with a reflector, both rooms and TURN/UDP is expected');
    const kinds = (hasCredentials: boolean, rooms: Array<'group' | 'p2p'>) =>
      planChecks(profile, { rooms, hasCredentials }).map((p) => p.kind);
    expect(kinds(true, ['group'])).toContain('relay');
    expect(kinds(false, ['group'])).not.toContain('relay');
    const ranges = (rooms: Array<'group' | 'p2p'>) =>
      planDiagnosis(profile, { rooms, hasCredentials: false }).ranges.map((r) => r.id);
    expect(ranges(['group'])).toEqual(['udp-range:group']);
    expect(ranges(['p2p'])).not.toContain('udp-range:group');
  });
});
