import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';

/** Hand-written report fixtures (test/fixtures/reports), parsed through the real schema. */
export const FIXTURES = ['open', 'only-tcp-443', 'blocked'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function fixturePath(name: FixtureName): string {
  return fileURLToPath(new URL(`../../../fixtures/reports/${name}.json`, import.meta.url));
}

export function loadFixture(name: FixtureName): Report {
  const r = parseReportJson(readFileSync(fixturePath(name), 'utf8'));
  if (!r.ok) throw new Error(`fixture ${name} is invalid: ${JSON.stringify(r.errors)}`);
  return r.report;
}
