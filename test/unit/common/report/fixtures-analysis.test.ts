import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeByFamily } from '#common/analysis/family';
import { parseProfileJson } from '#common/profile/schema';
import { FAMILY_FINDING } from '#common/report/family';
import { DUAL_STACK_FIXTURES, loadFixture } from './fixtures';

/**
 * The dual-stack fixtures the views are tested on are what the analysis makes of their own checks
 * and ranges (the lab profile): same verdict path and family per room, and the same family findings
 * (ipv6-blocked, ipv6-only, ipv6-no-nat), so no view is tested on a report the engine cannot write.
 */
const LAB = fileURLToPath(new URL('../../../lab/profile.json', import.meta.url));
const FAMILY_CODES = new Set<string>(Object.values(FAMILY_FINDING));

describe('dual-stack fixtures agree with the analysis', () => {
  const parsed = parseProfileJson(readFileSync(LAB, 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  for (const name of DUAL_STACK_FIXTURES) {
    it(name, () => {
      const r = loadFixture(name);
      const a = analyzeByFamily({
        profile: parsed.profile,
        rooms: r.rooms,
        checks: r.checks,
        ranges: r.ranges,
        nat: r.nat,
        host: r.host,
        complete: r.complete,
      });
      for (const room of ['group', 'p2p'] as const) {
        expect([room, a.verdicts[room]?.path, a.verdicts[room]?.family]).toEqual([
          room,
          r.verdicts[room]?.path,
          r.verdicts[room]?.family,
        ]);
      }
      const codes = (fs: { code: string }[]) =>
        fs
          .map((f) => f.code)
          .filter((c) => FAMILY_CODES.has(c))
          .sort();
      expect(codes(r.findings)).toEqual(codes(a.findings));
    });
  }
});
