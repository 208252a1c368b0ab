import {
  assertNftApplyPlan,
  describeNftApplyPlan,
  FIREWALL_TARGETS,
  FirewallInputError,
  type FirewallTargetId,
  type NftApplyPlan,
} from '#common/firewall/index';
import type { Handlers } from '#common/ipc/contract';
import { FirewallErrorCode, type ReportRef } from '#common/ipc/firewall';
import { fail, ok, type IpcResult } from '#common/ipc/result';
import type { Profile } from '#common/profile/schema';
import { feedAge } from '#node/profiles/feed';
import { compareReports } from '#common/report/compare';
import type { Report } from '#common/report/schema';
import { summarizeReport } from '#common/report/summary';
import type { ApplyAction, ApplyResult } from '#node/firewall/apply';
import { fixRuleLines, planFix, ticketRules, ticketTargets, type FixPlan } from '#node/firewall/fix';
import { keepPlanned } from '#node/engine/recheck';
import type { PlatformAction, PlatformApplyResult } from '#node/firewall/platform';
import { assertPfPlan, assertWindowsPlan, type PlatformPlan } from '#node/firewall/platforms';
import type { FirewallDetection } from '#node/firewall/types';
import { appliedRecords } from './applied-records';
import { checkLabel, type ReportsContext } from './reports-context';

type FirewallChannels = 'firewall:plan' | 'firewall:apply' | 'firewall:undo' | 'firewall:recheck' | 'firewall:ticket';

/** The machine-facing parts of the fix, injectable so tests run without root, nft or a network. */
export interface FirewallDeps {
  /** Reads this machine's firewall (electron/node/firewall/detect.ts). */
  detect(): Promise<FirewallDetection>;
  /** Runs the fixed elevated script on a validated plan (electron/node/firewall/apply.ts). */
  apply(plan: NftApplyPlan, action: ApplyAction): Promise<ApplyResult>;
  /** Re-runs only the failed checks of `previous` and merges them (electron/node/engine/recheck.ts). */
  recheck(profile: Profile, previous: Report): Promise<Report>;
  /** Windows / macOS: runs that platform's fixed elevated script (electron/node/firewall/platforms.ts). */
  applyPlatform?(plan: PlatformPlan, action: PlatformAction): Promise<PlatformApplyResult>;
  /**
   * Main's own confirmation (a native dialog in the app, electron/main/firewall-consent.ts), listing
   * the exact rules; asked before every elevated change, also when the app runs as root. The page's
   * `consent: true` only asks for this dialog, it never replaces it. Resolves true for "change it".
   */
  confirm(request: FirewallConsent): Promise<boolean>;
  platform?: NodeJS.Platform;
}

/** What main's confirmation dialog shows: one sentence, where and why, and the exact rules. */
export interface FirewallConsent {
  action: ApplyAction;
  message: string;
  /** Where the rules go and why there. */
  where: string[];
  /** The exact rules (nft syntax) that will be inserted or deleted. */
  rules: string[];
  /** How the change is elevated: the system's administrator prompt follows, or none (already root). */
  elevation: string;
}

export { keepPlanned } from '#node/engine/recheck';
export { ticketRules, ticketTargets } from '#node/firewall/fix';

const ELEVATION = (): string =>
  typeof process.getuid === 'function' && process.getuid() === 0
    ? 'Pathcheck runs as administrator (root): no other prompt follows.'
    : 'Your system then asks for an administrator password ("Change this computer\u2019s firewall for Pathcheck").';

const PLATFORM_ELEVATION: Record<PlatformPlan['platform'], string> = {
  win32: 'Windows then asks for administrator rights (User Account Control).',
  darwin: 'macOS then asks for an administrator password.',
};

const label = (id: FirewallTargetId) => FIREWALL_TARGETS.find((t) => t.id === id)?.label ?? id;

/**
 * The "fix my firewall" channels. Nothing the page sends reaches a rule: it names a report and asks;
 * main loads that report from history, recomputes planFix with a fresh detection (only the ports the
 * profile requires, only the chains that drop, never another product's table), checks the apply
 * plan again (assertNftApplyPlan), shows the exact rules in its own dialog (`deps.confirm`) and only
 * then runs the fixed script. When planFix says no (perimeter block, policy, no nftables, a VPN's
 * table), apply is refused with its reason.
 */
export function createFirewallHandlers(ctx: ReportsContext, deps: FirewallDeps): Pick<Handlers, FirewallChannels> {
  /**
   * Applies by history id: undo removes exactly the rules the script reported adding (handle +
   * chain). Kept beside the history (`<historyDir>.firewall-applied.json`) so an undo after a restart
   * is as exact; a damaged record is dropped (the script also deletes a handle only if it is a
   * Pathcheck rule in that chain).
   */
  const applied = appliedRecords(`${ctx.deps.historyDir}.firewall-applied.json`);
  const platform = deps.platform ?? process.platform;
  /** Windows / macOS plans applied in this session, by history id (undo removes Pathcheck's group / anchor). */
  const appliedPlatform = new Map<string, PlatformPlan>();
  const checkPlatformPlan = (p: PlatformPlan): void =>
    p.platform === 'win32' ? assertWindowsPlan(p.plan) : assertPfPlan(p.plan);

  type Planned = { id: string; report: Report; profile: Profile; plan: FixPlan };
  const plan = async (ref: ReportRef): Promise<IpcResult<Planned>> => {
    const r = await ctx.resolve(ref);
    if (!r.ok) return r;
    const { id, report } = r.value;
    const profile = await ctx.profileFor(id, report);
    if (!profile) {
      return fail(
        FirewallErrorCode.profileUnknown,
        `The profile "${report.profile.name}" this report was made with is not available here, so no rules can be derived; run the diagnosis again.`,
      );
    }
    try {
      let fix = planFix(profile, report, await deps.detect(), platform);
      if (fix.canApply && !(await ctx.producedHere(id))) {
        fix = {
          ...fix,
          canApply: false,
          applyPlan: null,
          platformPlan: null,
          refusal:
            'Pathcheck changes this computer\u2019s firewall only for a diagnosis it ran here itself (this report was imported); run the diagnosis again, then fix it. The rules below can still be copied.',
        };
      }
      return ok({ id, report, profile, plan: fix });
    } catch (e) {
      if (e instanceof FirewallInputError)
        return fail(
          FirewallErrorCode.invalidRules,
          `This report holds a value no rule may contain (${e.message}); nothing was generated.`,
        );
      throw e;
    }
  };

  /** The Windows/macOS refusal for this computer's own block ("On this computer: …"), or null. */
  const localCause = async (id: string, report: Report, profile: Profile): Promise<string | null> => {
    if ((platform !== 'win32' && platform !== 'darwin') || !report.firewall.blocked.some((b) => b.layer === 'local'))
      return null;
    const fix = planFix(profile, report, await deps.detect(), platform);
    return fix.platformPlan === null && fix.refusal ? `On this computer: ${fix.refusal}` : null;
  };

  const refToRef = (req: { reportId: string } | { runId: string }): ReportRef =>
    'reportId' in req ? { reportId: req.reportId } : { runId: req.runId };

  /** One firewall change or re-check at a time: a double click must not raise two elevation prompts. */
  let busy = false;
  const exclusive = async <T>(work: () => Promise<IpcResult<T>>): Promise<IpcResult<T>> => {
    if (busy)
      return fail(
        FirewallErrorCode.busy,
        'Pathcheck is already changing or re-checking the firewall; wait for it to finish.',
      );
    busy = true;
    try {
      return await work();
    } finally {
      busy = false;
    }
  };

  return {
    'firewall:plan': async (ref) => {
      const p = await plan(ref);
      if (!p.ok) return p;
      const { id, report, plan: fix } = p.value;
      const local =
        fix.localRules && fix.localTarget
          ? {
              target: fix.localTarget,
              label: label(fix.localTarget),
              format: fix.localRules.format,
              text: fix.localRules.text,
              undo: fix.localRules.undo ?? null,
              notes: fix.localRules.notes,
            }
          : null;
      return ok({
        reportId: id,
        mode: fix.mode,
        canApply: fix.canApply,
        refusal: fix.refusal,
        summary: fix.summary,
        why: fix.why,
        local,
        ticket: fix.ticket,
        ticketTargets: ticketTargets(report),
        applied: (await applied.has(id)) || appliedPlatform.has(id),
      });
    },

    'firewall:apply': (req) =>
      exclusive(async () => {
        const p = await plan(refToRef(req));
        if (!p.ok) return p;
        const { id, plan: fix } = p.value;
        if (fix.canApply && fix.platformPlan && deps.applyPlatform) {
          const platformPlan = fix.platformPlan;
          try {
            checkPlatformPlan(platformPlan);
          } catch (e) {
            if (e instanceof FirewallInputError)
              return fail(
                FirewallErrorCode.invalidRules,
                `The rules failed validation (${e.message}); nothing was applied.`,
              );
            throw e;
          }
          const rules = fixRuleLines(fix);
          const confirmed = await deps.confirm({
            action: 'apply',
            message: `Change this computer\u2019s firewall? Pathcheck will add ${rules.length} allow rule(s) of its own (${platformPlan.platform === 'win32' ? 'rule group "Pathcheck"' : 'pf anchor com.apple/250.Pathcheck'}).`,
            where: fix.where,
            rules,
            elevation: PLATFORM_ELEVATION[platformPlan.platform],
          });
          if (!confirmed)
            return fail(FirewallErrorCode.cancelled, 'Nothing was changed: the firewall change was not confirmed.');
          const result = await deps.applyPlatform(platformPlan, 'apply');
          if (result.ok) appliedPlatform.set(id, platformPlan);
          return ok({ ok: result.ok, changed: result.changed, elevation: result.elevation, error: result.error });
        }
        if (!fix.canApply || !fix.applyPlan)
          return fail(FirewallErrorCode.refused, fix.refusal ?? 'Pathcheck cannot apply these rules on this computer.');
        try {
          assertNftApplyPlan(fix.applyPlan);
        } catch (e) {
          if (e instanceof FirewallInputError)
            return fail(
              FirewallErrorCode.invalidRules,
              `The rules failed validation (${e.message}); nothing was applied.`,
            );
          throw e;
        }
        const confirmed = await deps.confirm({
          action: 'apply',
          message: `Change this computer\u2019s firewall? Pathcheck will add ${describeNftApplyPlan(fix.applyPlan).length} allow rule(s), tagged "pathcheck".`,
          where: fix.where,
          rules: describeNftApplyPlan(fix.applyPlan),
          elevation: ELEVATION(),
        });
        if (!confirmed)
          return fail(FirewallErrorCode.cancelled, 'Nothing was changed: the firewall change was not confirmed.');
        const result = await deps.apply(fix.applyPlan, 'apply');
        if (result.ok) await applied.set(id, { plan: fix.applyPlan, added: result.added });
        return ok({ ok: result.ok, changed: result.added.length, elevation: result.elevation, error: result.error });
      }),

    'firewall:undo': (req) =>
      exclusive(async () => {
        const r = await ctx.resolve(refToRef(req));
        if (!r.ok) return r;
        const platformUndo = appliedPlatform.get(r.value.id) ?? null;
        if (deps.applyPlatform && (platform === 'win32' || platform === 'darwin')) {
          // Undo removes Pathcheck's own group (Windows) or anchor (macOS), whatever report added it.
          const target =
            platformUndo ??
            (await plan({ reportId: r.value.id }).then((p) => (p.ok ? p.value.plan.platformPlan : null)));
          if (!target)
            return fail(FirewallErrorCode.notApplied, 'No Pathcheck rules from this report can be removed here.');
          const what =
            target.platform === 'win32'
              ? 'remove the rule group "Pathcheck" (only rules named pathcheck-…)'
              : 'flush the pf anchor com.apple/250.Pathcheck';
          const confirmed = await deps.confirm({
            action: 'undo',
            message: 'Remove the firewall rules Pathcheck added?',
            where: [],
            rules: [what],
            elevation: PLATFORM_ELEVATION[target.platform],
          });
          if (!confirmed)
            return fail(FirewallErrorCode.cancelled, 'Nothing was changed: removing the rules was not confirmed.');
          const result = await deps.applyPlatform(target, 'undo');
          if (result.ok) appliedPlatform.delete(r.value.id);
          return ok({ ok: result.ok, changed: result.changed, elevation: result.elevation, error: result.error });
        }
        const record = await applied.get(r.value.id);
        let undoPlan: NftApplyPlan | null = record
          ? { ...record.plan, remove: record.added.map((a) => ({ ...a })) }
          : null;
        let where: string[] = [];
        if (!undoPlan) {
          // Not applied in this session (e.g. after a restart): the same report gives the same chains;
          // only the rules tagged "pathcheck" in them are removed, nowhere else.
          const p = await plan({ reportId: r.value.id });
          if (!p.ok) return p;
          undoPlan = p.value.plan.applyPlan;
          where = p.value.plan.where;
        }
        if (!undoPlan)
          return fail(FirewallErrorCode.notApplied, 'No Pathcheck rules from this report can be removed here.');
        try {
          assertNftApplyPlan(undoPlan);
        } catch (e) {
          if (e instanceof FirewallInputError)
            return fail(
              FirewallErrorCode.invalidRules,
              `The undo failed validation (${e.message}); nothing was changed.`,
            );
          throw e;
        }
        const rules = undoPlan.remove
          ? undoPlan.remove.map((x) => `delete rule ${x.family} ${x.table} ${x.chain} handle ${x.handle}`)
          : undoPlan.chains.length > 0
            ? undoPlan.chains.map((c) => `delete the rules commented "pathcheck" in ${c.family} ${c.table} ${c.chain}`)
            : ['delete the rules commented "pathcheck" in the output chains that drop traffic'];
        const confirmed = await deps.confirm({
          action: 'undo',
          message: 'Remove the firewall rules Pathcheck added?',
          where,
          rules,
          elevation: ELEVATION(),
        });
        if (!confirmed)
          return fail(FirewallErrorCode.cancelled, 'Nothing was changed: removing the rules was not confirmed.');
        const result = await deps.apply(undoPlan, 'undo');
        if (result.ok) await applied.delete(r.value.id);
        return ok({ ok: result.ok, changed: result.removed.length, elevation: result.elevation, error: result.error });
      }),

    'firewall:recheck': (ref) =>
      exclusive(async () => {
        const r = await ctx.resolve(ref);
        if (!r.ok) return r;
        const { id, report: stored } = r.value;
        const profile = await ctx.profileFor(id, stored);
        if (!profile)
          return fail(
            FirewallErrorCode.profileUnknown,
            `The profile "${stored.profile.name}" is not available here; run the diagnosis again.`,
          );
        const before = keepPlanned(profile, stored);
        // A re-check of a report this app did not measure stays "not measured here": it still carries
        // the imported results of everything that was not re-run.
        const measuredHere = await ctx.producedHere(id);
        let after: Report;
        try {
          after = await deps.recheck(profile, before);
        } catch (e) {
          return fail(FirewallErrorCode.recheckFailed, `The re-check stopped with an error: ${(e as Error).message}`);
        }
        const entry = await ctx.save(after, profile, { measuredHere });
        const beforeStatus = new Map(before.checks.map((c) => [c.id, c.status]));
        const rerun = after.checks
          .filter((c) => {
            const s = beforeStatus.get(c.id);
            return s === 'fail' || s === 'skipped';
          })
          .map((c) => ({ id: c.id, label: checkLabel(c), before: beforeStatus.get(c.id) ?? 'fail', after: c.status }));
        return ok({ afterId: entry.id, beforeId: id, report: after, comparison: compareReports(before, after), rerun });
      }),

    'firewall:ticket': async (req) => {
      const r = await ctx.resolve(refToRef(req));
      if (!r.ok) return r;
      const { id, report } = r.value;
      const profile = await ctx.profileFor(id, report);
      if (!profile)
        return fail(
          FirewallErrorCode.profileUnknown,
          `The profile "${report.profile.name}" is not available here; run the diagnosis again.`,
        );
      if (report.firewall.blocked.length === 0)
        return fail(
          FirewallErrorCode.refused,
          'Nothing required was found blocked, so there is nothing to ask the network team for.',
        );
      try {
        const rules = ticketRules(profile, report, req.target);
        // Windows / macOS: when this computer's own block cannot be fixed here, the ticket names why (the rule, policy or product).
        const cause = await localCause(id, report, profile);
        // How old the destination ranges are (the provider's feed), so the network team can judge them.
        const feed = report.profile.addressFeed;
        const ranges = feed
          ? [`Address ranges from ${feed.url}, ${feedAge(feed.fetchedAt)}.`]
          : profile.addressFeed
            ? [`Address ranges as listed in the profile; ${profile.addressFeed.url} publishes the current list.`]
            : [];
        return ok({
          target: req.target,
          label: label(req.target),
          format: rules.format,
          text: rules.text,
          notes: [...(cause ? [cause] : []), ...rules.notes, ...ranges],
          summary: summarizeReport(report),
        });
      } catch (e) {
        if (e instanceof FirewallInputError)
          return fail(
            FirewallErrorCode.invalidRules,
            `This report holds a value no rule may contain (${e.message}); nothing was generated.`,
          );
        throw e;
      }
    },
  };
}
