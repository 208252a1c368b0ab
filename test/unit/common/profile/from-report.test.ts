import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planChecks } from '#node/engine/plan';
import { profileFromReport } from '#common/profile/from-report';
import type { Report } from '#common/report/schema';

/** A report from a self-hosted stack (no built-in profile): the profile its checks describe, for the re-check after a fix. */
const FIXTURE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/reports/other-machine.json');
const load = (): Report => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Report;

describe('profileFromReport', () => {
  it('describes the report\u2019s STUN, TURN and signaling servers, so its failed checks plan under the same ids', () => {
    const report = load();
    const r = profileFromReport(report);
    if (!r.ok) throw new Error(r.error);
    expect(r.profile.id).toBe(report.profile.id);
    const planned = new Set(planChecks(r.profile, { rooms: report.rooms, hasCredentials: true }).map((p) => p.id));
    const failed = report.checks.filter((c) => c.status === 'fail' && ['stun', 'turn', 'tls'].includes(c.kind));
    expect(failed.length).toBeGreaterThan(0);
    for (const c of failed) expect(planned.has(c.id), c.id).toBe(true);
  });

  it.each([
    ['a host with shell text', '192.0.2.10; reboot'],
    ['a host with a newline', 'turn.example.com\nx'],
    ['a host with a placeholder', '${evil}.example.com'],
  ])('refuses %s, naming the report field', (_what, host) => {
    const report = load();
    const i = report.checks.findIndex((c) => c.kind === 'stun' || c.kind === 'turn');
    report.checks[i]!.host = host;
    const r = profileFromReport(report);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(new RegExp(`^checks\\[${i}\\]\\.host: `));
  });
});
