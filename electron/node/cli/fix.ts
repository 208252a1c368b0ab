import { access, constants, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import {
  assertNftApplyPlan,
  FirewallInputError,
  foreignProduct,
  NFT_PLAN_VERSION,
  type NftApplyPlan,
} from '#common/firewall/index';
import { localDate } from '#common/profile/lifecycle';
import { profileFromReport } from '#common/profile/from-report';
import type { Profile } from '#common/profile/schema';
import { footerTemplate, renderReportHtml } from '#common/report/html/index';
import type { CheckStatus, Report } from '#common/report/schema';
import { plainText } from '#common/text/sanitize';
import { diagnose } from '../engine/diagnose';
import { keepPlanned, recheck } from '../engine/recheck';
import { applyLinuxPlan, type ApplyResult } from '../firewall/apply';
import { detectLocalFirewall } from '../firewall/detect';
import { fixRuleLines, planFix, ticketRules, ticketTargets, type FixPlan } from '../firewall/fix';
import type { PlatformApplyResult } from '../firewall/platform';
import { applyPlatformPlan, assertPfPlan, assertWindowsPlan, type PlatformPlan } from '../firewall/platforms';
import type { FirewallDetection } from '../firewall/types';
import { builtinProfilesDir, loadBuiltinProfile, loadProfile } from '../profiles/resolve';
import { printPdf } from '../report/pdf';
import type { FixArgs } from './args';
import { EXIT, type CliIo } from './io';
import { prepareForRun, withRanges } from './profile-run';
import { PROFILE_ID, readReportFile } from './report-file';

/**
 * `pathcheck fix`: the app's Fix flow without the app. Diagnoses (or reads a report), plans with the
 * same planFix and platform backends as the app's Fix dialog, prints exactly what would change and
 * where, changes it only with --yes (root, or pkexec), re-checks only what failed and prints before
 * and after. Exit 0 fixed, 1 partly fixed (or not applied), 3 not fixable here, 77 no way to elevate.
 */

/** sysexits.h EX_NOPERM: --yes without root and without pkexec. */
export const EXIT_NOPERM = 77;

/** The machine-facing parts, injectable for tests. */
export interface FixDeps {
  platform: NodeJS.Platform;
  detect(): Promise<FirewallDetection>;
  applyNft(plan: NftApplyPlan, action: 'apply' | 'undo'): Promise<ApplyResult>;
  applyPlatform(plan: PlatformPlan, action: 'apply' | 'undo'): Promise<PlatformApplyResult>;
  isRoot(): boolean;
  hasPkexec(): Promise<boolean>;
}

async function onPath(name: string, env: Record<string, string | undefined>): Promise<boolean> {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

export function defaultFixDeps(io: CliIo): FixDeps {
  const firewallDir = join(builtinProfilesDir(), '../firewall');
  return {
    platform: process.platform,
    detect: () => detectLocalFirewall(),
    applyNft: (plan, action) => applyLinuxPlan(plan, action, { scriptPath: join(firewallDir, 'apply-linux.sh') }),
    applyPlatform: (plan, action) => applyPlatformPlan(plan, action, { firewallDir }),
    isRoot: () => typeof process.getuid === 'function' && process.getuid() === 0,
    hasPkexec: () => onPath('pkexec', io.env),
  };
}

const say = (io: CliIo, json: boolean, text: string): void => {
  (json ? io.stderr : io.stdout).write(`${text}\n`);
};

/** The plan in words: what is blocked, why there, what would change and where. */
function describePlan(fix: FixPlan): string[] {
  const lines = [fix.summary];
  if (fix.why.length) lines.push('', 'Why Pathcheck thinks so:', ...fix.why.map((w) => `  - ${w}`));
  if (fix.where.length) lines.push('', 'Where:', ...fix.where.map((w) => `  ${w}`));
  const rules = fix.canApply ? fixRuleLines(fix) : [];
  if (rules.length) lines.push('', 'Would change (each rule tagged "pathcheck"):', ...rules.map((r) => `  ${r}`));
  if (fix.refusal) lines.push('', `Not applied here: ${fix.refusal}`);
  if (fix.ticket.length) {
    lines.push('', 'For the network team (blocked outside this computer):');
    for (const b of fix.ticket)
      lines.push(
        `  ${b.protocol.toUpperCase()} ${b.ports.map(([a, z]) => (a === z ? `${a}` : `${a}-${z}`)).join(', ')} to ${b.anyDestination || b.to.length === 0 ? 'any address' : b.to.slice(0, 6).join(', ')} (${b.layer})`,
      );
  }
  return lines.map((l) => plainText(l));
}

/** Undo for Linux: the rules tagged "pathcheck" in the chains that drop (or those the script finds), nothing else. */
function linuxUndoPlan(detection: FirewallDetection): NftApplyPlan {
  const chains = detection.dropChains
    .filter((c) => foreignProduct(c.table) === null)
    .map((c) => ({ family: c.family, table: c.table, chain: c.chain }));
  return { version: NFT_PLAN_VERSION, tag: 'pathcheck', chains, discover: chains.length === 0, rules: [] };
}

export async function fixCommand(args: FixArgs, io: CliIo, deps: FixDeps = defaultFixDeps(io)): Promise<number> {
  const json = args.json === '-';
  const out = (t: string) => say(io, json, t);
  const today = localDate(io.now?.() ?? new Date());

  // 1. The profile (--profile, or the report's built-in one) and the report (--from, or a fresh diagnosis).
  let profile: Profile | null = null;
  if (args.profile || !args.from) {
    const loaded = await loadProfile(args.profile, undefined, today);
    const prepared = prepareForRun(loaded, args.params, io, args.profile ?? loaded.id);
    profile = (
      await withRanges(prepared, { refresh: false, env: io.env, stderr: io.stderr, ...(io.now ? { now: io.now } : {}) })
    ).profile;
  }
  let report: Report;
  if (args.from) {
    const r = await readReportFile(args.from, io);
    if (!r) return EXIT.dataErr;
    report = r;
    if (!PROFILE_ID.test(report.profile.id)) {
      io.stderr.write(`pathcheck: ${plainText(args.from)}: profile.id: not a profile id; nothing was changed\n`);
      return EXIT.dataErr;
    }
    // A report names its profile by id only; a built-in one (never a path) is used for the re-check.
    if (!profile) profile = await loadBuiltinProfile(report.profile.id).catch(() => null);
  } else {
    report = await diagnose(profile!, {
      env: io.env,
      ...(args.deadlineMs ? { deadlineMs: args.deadlineMs } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    });
  }

  // 2. Plan with the app's code: planFix on a fresh detection of this computer.
  const detection = await deps.detect();
  let fix: FixPlan;
  try {
    fix = planFix(profile, report, detection, deps.platform);
  } catch (e) {
    if (e instanceof FirewallInputError) {
      io.stderr.write(`pathcheck: refusing to plan a fix: ${plainText(e.message)}; nothing was changed\n`);
      return EXIT.dataErr;
    }
    throw e;
  }
  const result: Record<string, unknown> = {
    mode: fix.mode,
    canApply: fix.canApply,
    refusal: fix.refusal,
    summary: fix.summary,
    why: fix.why,
    where: fix.where,
    rules: fix.canApply ? fixRuleLines(fix) : [],
  };
  const finish = async (code: number, extra: Record<string, unknown> = {}): Promise<number> => {
    const doc = `${JSON.stringify({ ...result, ...extra, exitCode: code }, null, 2)}\n`;
    if (json) io.stdout.write(doc);
    else if (args.json) await writeFile(args.json, doc);
    return code;
  };

  if (args.undo) return undo(args, io, deps, detection, fix, out, finish);

  for (const l of describePlan(fix)) out(l);
  if (fix.mode === 'none') return finish(0);
  if (!fix.canApply) {
    if (args.ticket) await writeTicket(args.ticket, profile, report, fix, out);
    else if (fix.ticket.length) out('\nWrite the rules for the network team with --ticket <file.pdf|file.html>.');
    return finish(3);
  }
  if (!args.yes) {
    out('\nNothing was changed. Run again with --yes to apply (as root, or with an administrator prompt).');
    return finish(1, { applied: false });
  }

  // 3. Apply: re-validated, elevated (root or pkexec), all or nothing.
  const root = deps.isRoot();
  if (deps.platform === 'linux' && !root && !(await deps.hasPkexec())) {
    io.stderr.write(
      'pathcheck: --yes needs root (sudo pathcheck fix --yes) or pkexec to ask for the administrator password; neither is available, so nothing was changed.\n',
    );
    return finish(EXIT_NOPERM, { applied: false });
  }
  let changed = 0;
  let error: string | null = null;
  try {
    if (fix.platformPlan) {
      if (fix.platformPlan.platform === 'win32') assertWindowsPlan(fix.platformPlan.plan);
      else assertPfPlan(fix.platformPlan.plan);
      const r = await deps.applyPlatform(fix.platformPlan, 'apply');
      changed = r.changed;
      error = r.ok ? null : (r.error ?? 'the apply script failed');
    } else if (fix.applyPlan) {
      assertNftApplyPlan(fix.applyPlan);
      const r = await deps.applyNft(fix.applyPlan, 'apply');
      changed = r.added.length;
      error = r.ok ? null : (r.error ?? 'the apply script failed');
      for (const a of r.added) out(`added rule ${a.handle} in ${a.family} ${a.table} ${a.chain}`);
    }
  } catch (e) {
    if (e instanceof FirewallInputError) error = `the rules failed validation (${e.message})`;
    else throw e;
  }
  if (error) {
    io.stderr.write(
      `pathcheck: the firewall was not changed: ${plainText(error)} (an apply that fails midway removes what it added).\n`,
    );
    return finish(3, { applied: false, error });
  }
  out(
    `\nApplied ${changed} rule(s) tagged "pathcheck". Undo: pathcheck fix --undo${args.from ? ` --from ${args.from}` : ''}`,
  );

  // 4. Re-check only what failed, and say before/after: with the profile, or (not built in) with the
  // servers the report's own checks name.
  let checkWith = profile;
  if (!checkWith) {
    const derived = profileFromReport(report);
    if (!derived.ok) {
      out(
        plainText(
          `Re-check skipped: the report\u2019s profile is not built in and its checks do not describe one (${derived.error}); run again with --profile <file> to re-check.`,
        ),
      );
      return finish(1, { applied: true, changed });
    }
    checkWith = derived.profile;
    out(
      `\nRe-checking with the servers the report\u2019s checks name (its profile "${report.profile.id}" is not built in; --profile <file> re-checks with the file).`,
    );
    if (derived.notRechecked.length)
      out(
        plainText(
          `Not re-run without the profile (credentials or the reflector are not in a report): ${derived.notRechecked.join(', ')}.`,
        ),
      );
  }
  const before = keepPlanned(checkWith, report);
  const after = await recheck(checkWith, before, { env: io.env, ...(io.signal ? { signal: io.signal } : {}) });
  const was = new Map(before.checks.map((c) => [c.id, c.status]));
  const rerun: Array<{ id: string; before: CheckStatus; after: CheckStatus }> = [];
  for (const c of after.checks) {
    const s = was.get(c.id);
    if (s === 'fail' || s === 'skipped') rerun.push({ id: c.id, before: s, after: c.status });
  }
  out('\nRe-checked what failed:');
  for (const r of rerun) out(plainText(`  ${r.id}: ${r.before} \u2192 ${r.after}`));
  const blockedIds = new Set(
    fix.applyPlan || fix.platformPlan
      ? report.firewall.blocked.filter((b) => b.layer === 'local').flatMap((b) => b.checks)
      : [],
  );
  const target = rerun.filter((r) => blockedIds.has(r.id));
  const fixed = target.filter((r) => r.after === 'pass').length;
  const remaining = after.firewall.blocked.length;
  const code = fixed === target.length && remaining === 0 ? 0 : fixed > 0 || target.length === 0 ? 1 : 3;
  out(
    code === 0
      ? 'Fixed: everything that was blocked here now passes.'
      : `${fixed} of ${target.length} blocked check(s) now pass; ${remaining} requirement(s) are still blocked.`,
  );
  return finish(code, { applied: true, changed, rerun, after });
}

async function undo(
  args: FixArgs,
  io: CliIo,
  deps: FixDeps,
  detection: FirewallDetection,
  fix: FixPlan,
  out: (t: string) => void,
  finish: (code: number, extra?: Record<string, unknown>) => Promise<number>,
): Promise<number> {
  const root = deps.isRoot();
  if (deps.platform === 'linux') {
    const plan = linuxUndoPlan(detection);
    out(
      plan.discover
        ? 'Would remove: the rules tagged "pathcheck" in the output chains that drop traffic (found as administrator), nothing else.'
        : `Would remove: the rules tagged "pathcheck" in ${plan.chains.map((c) => `${c.family} ${c.table} ${c.chain}`).join(', ')}, nothing else.`,
    );
    if (!args.yes) {
      out('Nothing was changed. Run again with --undo --yes to remove them.');
      return finish(1, { applied: false });
    }
    if (!root && !(await deps.hasPkexec())) {
      io.stderr.write('pathcheck: --yes needs root or pkexec; neither is available, so nothing was changed.\n');
      return finish(EXIT_NOPERM);
    }
    const r = await deps.applyNft(plan, 'undo');
    for (const x of r.removed) out(`removed rule ${x.handle} in ${x.family} ${x.table} ${x.chain}`);
    if (!r.ok) {
      io.stderr.write(`pathcheck: undo failed: ${plainText(r.error ?? 'the script failed')}\n`);
      return finish(3, { removed: r.removed.length });
    }
    out(`Removed ${r.removed.length} rule(s) tagged "pathcheck".`);
    return finish(0, { removed: r.removed.length });
  }
  if (!fix.platformPlan) {
    io.stderr.write('pathcheck: no Pathcheck rules can be removed here (no platform plan for this computer).\n');
    return finish(3);
  }
  out(
    fix.platformPlan.platform === 'win32'
      ? 'Would remove: the rule group "Pathcheck" (only rules named pathcheck-…).'
      : 'Would flush: the pf anchor com.apple/250.Pathcheck.',
  );
  if (!args.yes) return finish(1, { applied: false });
  const r = await deps.applyPlatform(fix.platformPlan, 'undo');
  if (!r.ok) {
    io.stderr.write(`pathcheck: undo failed: ${plainText(r.error ?? 'the script failed')}\n`);
    return finish(3);
  }
  out(`Removed ${r.changed} rule(s).`);
  return finish(0, { removed: r.changed });
}

/** The network team's ticket: the report with the rules for the edge/proxy targets as an appendix, HTML or PDF. */
async function writeTicket(
  file: string,
  profile: Profile | null,
  report: Report,
  fix: FixPlan,
  out: (t: string) => void,
): Promise<void> {
  const targets = ticketTargets(report).slice(0, 3);
  const appendix = targets.map((t) => {
    const rules = ticketRules(profile, report, t.id);
    const why = fix.why.length
      ? `Why Pathcheck places the block there:\n${fix.why.map((w) => `- ${w}`).join('\n')}\n\n`
      : '';
    return { target: t.id, label: t.label, text: `${why}${rules.text}` };
  });
  const html = renderReportHtml(report, { firewallAppendix: appendix });
  if (/\.pdf$/i.test(file))
    await printPdf(html, file, { paper: 'A4', timeoutMs: 60_000, footerTemplate: footerTemplate(report) });
  else await writeFile(file, html);
  out(`\nWrote the network team's ticket to ${plainText(file)} (${targets.map((t) => t.label).join(', ')}).`);
}
