import { baseId, FAMILY_FINDING, FAMILY_LABEL, familyOf, V6_BLOCKED_MESSAGE, type Family } from './family';
import type { CheckResult, CheckStatus, Report, Verdict } from './schema';

/**
 * How every view (the app, the HTML/PDF report, the CLI) lays out a dual-stack report: an IPv6
 * twin is shown under its IPv4 row, never as a row of its own, and IPv6 results are counted apart,
 * so an IPv4-only network (or one that drops IPv6) does not look twice as broken. One
 * implementation here; the views only draw what it returns.
 */

interface Entry {
  id: string;
  family?: Family | undefined;
}

/** One row of a list: the entry shown on top and, when both families ran, its IPv6 twin. */
export interface FamilyRow<T extends Entry> {
  /** The IPv4 id the row stands for (`baseId`). */
  id: string;
  /** The entry on the row: the IPv4 one, or the IPv6 one when it has no IPv4 twin. */
  main: T;
  /** The IPv6 twin shown under `main`, when both ran. */
  v6?: T;
}

/**
 * Groups checks or ranges by family, in the order rows first appear: each IPv6 twin joins the row
 * of its IPv4 entry (same `baseId`), wherever it stands in the list. An IPv6 entry without an
 * IPv4 twin (an IPv6-only server) is a row of its own. Entries are not copied.
 */
export function groupByFamily<T extends Entry>(items: readonly T[]): FamilyRow<T>[] {
  const rows = new Map<string, { v4?: T; v6?: T }>();
  for (const item of items) {
    const key = baseId(item.id);
    const row = rows.get(key) ?? {};
    if (!rows.has(key)) rows.set(key, row);
    const slot = familyOf(item) === 6 ? 'v6' : 'v4';
    if (!row[slot]) row[slot] = item;
  }
  const out: FamilyRow<T>[] = [];
  for (const [id, { v4, v6 }] of rows) {
    if (v4) out.push(v6 ? { id, main: v4, v6 } : { id, main: v4 });
    else if (v6) out.push({ id, main: v6 });
  }
  return out;
}

export type StatusCounts = Record<CheckStatus, number> & { total: number };

function countOf(checks: readonly CheckResult[]): StatusCounts {
  const c: StatusCounts = { total: 0, pass: 0, fail: 0, warn: 0, skipped: 0 };
  for (const x of checks) {
    c.total++;
    c[x.status]++;
  }
  return c;
}

/** Status counts per family: IPv4 (and name checks, which have no family) apart from IPv6. */
export function familyCounts(checks: readonly CheckResult[]): { v4: StatusCounts; v6: StatusCounts | null } {
  const v6 = checks.filter((c) => familyOf(c) === 6);
  return { v4: countOf(checks.filter((c) => familyOf(c) !== 6)), v6: v6.length ? countOf(v6) : null };
}

function countsWords(c: StatusCounts): string {
  return `${c.total} checks: ${c.pass} passed, ${c.fail} failed, ${c.warn} warnings, ${c.skipped} skipped`;
}

/** "11 checks: 11 passed, 0 failed, 0 warnings, 0 skipped." plus "(+ IPv6: 9 checks: …)" when IPv6 ran. */
export function checkCountsText(checks: readonly CheckResult[]): string {
  const { v4, v6 } = familyCounts(checks);
  return v6 ? `${countsWords(v4)} (+ IPv6: ${countsWords(v6)}).` : `${countsWords(v4)}.`;
}

/** "3 of 11 checks failed (+ IPv6: 9 of 9)": the CLI summary's one line about failures. */
export function failedChecksText(checks: readonly CheckResult[]): string {
  const { v4, v6 } = familyCounts(checks);
  const main = `${v4.fail} of ${v4.total} checks failed`;
  return v6 ? `${main} (+ ${FAMILY_LABEL[6]}: ${v6.fail} of ${v6.total})` : main;
}

/**
 * The family a blocked requirement is for, from the checks behind it: 6 when every one is an IPv6
 * twin, 4 when every one is IPv4, null when mixed or uncited. The views say "over IPv6" only.
 */
export function requirementFamily(b: { checks: readonly string[] }): Family | null {
  if (b.checks.length === 0) return null;
  const families = new Set(b.checks.map((id) => familyOf({ id })));
  return families.size === 1 ? [...families][0]! : null;
}

/** The ipv6-blocked finding, when the analysis made one (the views show it once, in the findings). */
export function v6BlockedFinding(report: Pick<Report, 'findings'>): Report['findings'][number] | undefined {
  return report.findings.find((f) => f.code === FAMILY_FINDING.v6Blocked);
}

/**
 * The family a verdict sentence should name, or null when it does not matter: media over IPv6 is
 * always said; IPv4 only when IPv6 was warned about (it is advertised but blocked), so "over IPv4"
 * explains why IPv6 is not used. A blocked verdict names no family.
 */
export function verdictFamily(report: Pick<Report, 'findings'> | undefined, verdict: Verdict): Family | null {
  if (verdict.path === 'blocked' || verdict.family === undefined) return null;
  if (verdict.family === 6) return 6;
  return report && v6BlockedFinding(report) ? 4 : null;
}

/** A verdict's notes without the black-holed-IPv6 warning, which the findings already show once. */
export function verdictNotes(verdict: Verdict): string[] {
  return verdict.notes.filter((n) => !n.startsWith(V6_BLOCKED_MESSAGE));
}
