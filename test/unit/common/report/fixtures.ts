import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';

/** Hand-written report fixtures (test/fixtures/reports), parsed through the real schema. */
export const FIXTURES = ['open', 'only-tcp-443', 'blocked'] as const;
/** The dual-stack fixtures (issue 13), derived from open and only-tcp-443 with an IPv6 twin of every check and range. */
export const DUAL_STACK_FIXTURES = [
  'dual-stack-open',
  'v6-dropped',
  'v6-only',
  'v4-tcp-443-v6-open',
  'dual-stack-only-tcp-443',
] as const;
export type FixtureName = (typeof FIXTURES)[number] | (typeof DUAL_STACK_FIXTURES)[number];

export function fixturePath(name: FixtureName): string {
  return fileURLToPath(new URL(`../../../fixtures/reports/${name}.json`, import.meta.url));
}

export function loadFixture(name: FixtureName): Report {
  const r = parseReportJson(readFileSync(fixturePath(name), 'utf8'));
  if (!r.ok) throw new Error(`fixture ${name} is invalid: ${JSON.stringify(r.errors)}`);
  return r.report;
}
