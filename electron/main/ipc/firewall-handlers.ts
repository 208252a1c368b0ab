import {
  assertNftApplyPlan,
  buildFirewallInput,
  FIREWALL_TARGETS,
  FirewallInputError,
  generateRules,
  type FirewallTargetId,
  type GeneratedRules,
  type NftApplyPlan,
} from '../../common/firewall';
import type { Handlers } from '../../common/ipc/contract';
import { FirewallErrorCode, type FirewallPlanView, type ReportRef } from '../../common/ipc/firewall';
import { fail, ok, type IpcResult } from '../../common/ipc/result';
import type { Profile } from '../../common/profile/schema';
import { feedAge } from '../../node/profiles/feed';
import { compareReports } from '../../common/report/compare';
import type { Layer, Report } from '../../common/report/schema';
import { summarizeReport } from '../../common/report/summary';
import type { ApplyAction, ApplyResult } from '../../node/firewall/apply';
import { planFix, type FixPlan } from '../../node/firewall/fix';
import type { FirewallDetection } from '../../node/firewall/types';
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
  platform?: NodeJS.Platform;
}

/** Layers a ticket is for: everything that is not this computer. */
const TICKET_LAYERS: Layer[] = ['perimeter', 'proxy', 'unknown'];

/** Targets offered for a ticket, the one matching the blocking layer first. */
export function ticketTargets(report: Report): FirewallPlanView['ticketTargets'] {
  const proxyFirst = report.firewall.blocked.some((b) => b.layer === 'proxy');
  const list = FIREWALL_TARGETS.filter((t) => t.kind === 'perimeter' || t.kind === 'cloud' || t.kind === 'proxy').map((t) => ({ id: t.id, label: t.label, kind: t.kind }));
  return proxyFirst ? [...list.filter((t) => t.kind === 'proxy'), ...list.filter((t) => t.kind !== 'proxy')] : list;
}

/**
 * Rules for the network team in one target's syntax: the requirements blocked outside this
 * computer, or all of them when none are (a local target chosen for a ticket).
 */
export function ticketRules(profile: Profile, report: Report, target: FirewallTargetId): GeneratedRules {
  const outside = report.firewall.blocked.some((b) => TICKET_LAYERS.includes(b.layer));
  return generateRules(target, buildFirewallInput(profile, report, outside ? { layers: TICKET_LAYERS } : {}));
}

const label = (id: FirewallTargetId) => FIREWALL_TARGETS.find((t) => t.id === id)?.label ?? id;

/**
 * The "fix my firewall" channels. Nothing the page sends reaches a rule: it names a report and gives
 * consent; main loads that report from history, recomputes planFix with a fresh detection, checks the
 * apply plan again (assertNftApplyPlan) and runs the fixed script through execFile. When planFix says
 * no (perimeter block, policy, no nftables), apply is refused with its reason.
 */
export function createFirewallHandlers(ctx: ReportsContext, deps: FirewallDeps): Pick<Handlers, FirewallChannels> {
  /** Plans applied in this session, by history id: undo removes exactly these (by tag, in that chain). */
  const applied = new Map<string, NftApplyPlan>();
  const platform = deps.platform ?? process.platform;

  type Planned = { id: string; report: Report; profile: Profile; plan: FixPlan };
  const plan = async (ref: ReportRef): Promise<IpcResult<Planned>> => {
    const r = await ctx.resolve(ref);
    if (!r.ok) return r;
    const { id, report } = r.value;
    const profile = await ctx.profileFor(id, report);
    if (!profile) {
      return fail(FirewallErrorCode.profileUnknown, `The profile "${report.profile.name}" this report was made with is not available here, so no rules can be derived; run the diagnosis again.`);
    }
    try {
      let fix = planFix(profile, report, await deps.detect(), platform);
      if (fix.canApply && !(await ctx.producedHere(id))) {
        fix = {
          ...fix, canApply: false, applyPlan: null,
          refusal: 'Pathcheck changes this computer\u2019s firewall only for a diagnosis it ran here itself (this report was imported); run the diagnosis again, then fix it. The rules below can still be copied.',
        };
      }
      return ok({ id, report, profile, plan: fix });
    } catch (e) {
      if (e instanceof FirewallInputError) return fail(FirewallErrorCode.invalidRules, `This report holds a value no rule may contain (${e.message}); nothing was generated.`);
      throw e;
    }
  };

  const refToRef = (req: { reportId: string } | { runId: string }): ReportRef => ('reportId' in req ? { reportId: req.reportId } : { runId: req.runId });

  /** One firewall change or re-check at a time: a double click must not raise two elevation prompts. */
  let busy = false;
  const exclusive = async <T>(work: () => Promise<IpcResult<T>>): Promise<IpcResult<T>> => {
    if (busy) return fail(FirewallErrorCode.busy, 'Pathcheck is already changing or re-checking the firewall; wait for it to finish.');
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
      const local = fix.localRules && fix.localTarget
        ? { target: fix.localTarget, label: label(fix.localTarget), format: fix.localRules.format, text: fix.localRules.text, undo: fix.localRules.undo ?? null, notes: fix.localRules.notes }
        : null;
      return ok({
        reportId: id,
        mode: fix.mode,
        canApply: fix.canApply,
        refusal: fix.refusal,
        summary: fix.summary,
        local,
        ticket: fix.ticket,
        ticketTargets: ticketTargets(report),
        applied: applied.has(id),
      });
    },

    'firewall:apply': (req) => exclusive(async () => {
      const p = await plan(refToRef(req));
      if (!p.ok) return p;
      const { id, plan: fix } = p.value;
      if (!fix.canApply || !fix.applyPlan) return fail(FirewallErrorCode.refused, fix.refusal ?? 'Pathcheck cannot apply these rules on this computer.');
      try {
        assertNftApplyPlan(fix.applyPlan);
      } catch (e) {
        if (e instanceof FirewallInputError) return fail(FirewallErrorCode.invalidRules, `The rules failed validation (${e.message}); nothing was applied.`);
        throw e;
      }
      const result = await deps.apply(fix.applyPlan, 'apply');
      if (result.ok) applied.set(id, fix.applyPlan);
      return ok({ ok: result.ok, changed: result.added.length, elevation: result.elevation, error: result.error });
    }),

    'firewall:undo': (req) => exclusive(async () => {
      const r = await ctx.resolve(refToRef(req));
      if (!r.ok) return r;
      let undoPlan = applied.get(r.value.id) ?? null;
      if (!undoPlan) {
        // Not applied in this session (e.g. after a restart): the same report gives the same plan.
        const p = await plan({ reportId: r.value.id });
        if (!p.ok) return p;
        undoPlan = p.value.plan.applyPlan;
      }
      if (!undoPlan) return fail(FirewallErrorCode.notApplied, 'No Pathcheck rules from this report can be removed here.');
      assertNftApplyPlan(undoPlan);
      const result = await deps.apply(undoPlan, 'undo');
      if (result.ok) applied.delete(r.value.id);
      return ok({ ok: result.ok, changed: result.removed.length, elevation: result.elevation, error: result.error });
    }),

    'firewall:recheck': (ref) => exclusive(async () => {
      const r = await ctx.resolve(ref);
      if (!r.ok) return r;
      const { id, report: before } = r.value;
      const profile = await ctx.profileFor(id, before);
      if (!profile) return fail(FirewallErrorCode.profileUnknown, `The profile "${before.profile.name}" is not available here; run the diagnosis again.`);
      let after: Report;
      try {
        after = await deps.recheck(profile, before);
      } catch (e) {
        return fail(FirewallErrorCode.recheckFailed, `The re-check stopped with an error: ${(e as Error).message}`);
      }
      const entry = await ctx.save(after, profile);
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
      if (!profile) return fail(FirewallErrorCode.profileUnknown, `The profile "${report.profile.name}" is not available here; run the diagnosis again.`);
      if (report.firewall.blocked.length === 0) return fail(FirewallErrorCode.refused, 'Nothing required was found blocked, so there is nothing to ask the network team for.');
      try {
        const rules = ticketRules(profile, report, req.target);
        // How old the destination ranges are (the provider's feed), so the network team can judge them.
        const feed = report.profile.addressFeed;
        const ranges = feed
          ? [`Address ranges from ${feed.url}, ${feedAge(feed.fetchedAt)}.`]
          : profile.addressFeed ? [`Address ranges as listed in the profile; ${profile.addressFeed.url} publishes the current list.`] : [];
        return ok({ target: req.target, label: label(req.target), format: rules.format, text: rules.text, notes: [...rules.notes, ...ranges], summary: summarizeReport(report) });
      } catch (e) {
        if (e instanceof FirewallInputError) return fail(FirewallErrorCode.invalidRules, `This report holds a value no rule may contain (${e.message}); nothing was generated.`);
        throw e;
      }
    },
  };
}
