import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { FirewallTargetId } from '#common/firewall/registry';
import type {
  FirewallApplied,
  FirewallPlanView,
  FirewallRechecked,
  FirewallTicket,
  ReportRef,
} from '#common/ipc/firewall';
import type { IpcError, IpcResult } from '#common/ipc/result';
import { bridge, messageOf } from '../bridge';

export type FixStep =
  'closed' | 'loading' | 'plan' | 'applying' | 'rechecking' | 'verified' | 'undoing' | 'undone' | 'ticket';

/**
 * The Fix dialog's state. The page only ever sends which report and the user's consent: rule text
 * shown here is for reading and copying; main derives the rules it applies from the stored report.
 */
export const useFirewallStore = defineStore('firewall', () => {
  const step = ref<FixStep>('closed');
  const reportRef = shallowRef<ReportRef | null>(null);
  const plan = shallowRef<FirewallPlanView | null>(null);
  const consent = ref(false);
  const error = ref<IpcError | null>(null);
  const applied = shallowRef<FirewallApplied | null>(null);
  const undone = shallowRef<FirewallApplied | null>(null);
  const rechecked = shallowRef<FirewallRechecked | null>(null);
  /** The re-check after undo (optional): shows the checks fail again. */
  const recheckedAfterUndo = shallowRef<FirewallRechecked | null>(null);
  const ticketTarget = ref<FirewallTargetId | null>(null);
  const ticket = shallowRef<FirewallTicket | null>(null);
  /** Which view opened the dialog (FixButton), so only that one shows it. */
  const owner = shallowRef<symbol | null>(null);

  async function call<T>(fn: () => Promise<IpcResult<T>>): Promise<T | null> {
    try {
      const r = await fn();
      if (r.ok) return r.value;
      error.value = r.error;
      return null;
    } catch (e) {
      error.value = { code: 'bridge-unavailable', message: messageOf(e) };
      return null;
    }
  }

  function reset(): void {
    plan.value = null;
    consent.value = false;
    error.value = null;
    applied.value = null;
    undone.value = null;
    rechecked.value = null;
    recheckedAfterUndo.value = null;
    ticket.value = null;
    ticketTarget.value = null;
  }

  async function open(ref: ReportRef, openedBy: symbol | null = null): Promise<void> {
    reset();
    owner.value = openedBy;
    reportRef.value = ref;
    step.value = 'loading';
    const p = await call(() => bridge().firewall.plan(ref));
    if (!p) {
      step.value = 'plan';
      return;
    }
    plan.value = p;
    // From now on refer to the saved report (a runId resolves to it once).
    reportRef.value = { reportId: p.reportId };
    step.value = 'plan';
  }

  function close(): void {
    step.value = 'closed';
    reset();
    reportRef.value = null;
    owner.value = null;
  }

  /** Apply (main elevates), then re-run only the failed checks and keep the before/after. */
  async function apply(): Promise<void> {
    const ref = reportRef.value;
    if (!ref || !plan.value?.canApply || !consent.value) return;
    error.value = null;
    step.value = 'applying';
    const a = await call(() => bridge().firewall.apply(ref, true));
    applied.value = a;
    if (!a || !a.ok) {
      if (a?.error) error.value = { code: 'apply-failed', message: a.error };
      step.value = 'plan';
      return;
    }
    step.value = 'rechecking';
    rechecked.value = await call(() => bridge().firewall.recheck(ref));
    step.value = 'verified';
  }

  /** Removes exactly what apply added (by tag); optionally re-checks to show the checks fail again. */
  async function undo(recheckAfter = true): Promise<void> {
    const ref = reportRef.value;
    if (!ref) return;
    error.value = null;
    step.value = 'undoing';
    const u = await call(() => bridge().firewall.undo(ref, true));
    undone.value = u;
    if (!u || !u.ok) {
      if (u?.error) error.value = { code: 'undo-failed', message: u.error };
      step.value = 'verified';
      return;
    }
    if (recheckAfter) recheckedAfterUndo.value = await call(() => bridge().firewall.recheck(ref));
    step.value = 'undone';
  }

  async function prepareTicket(target?: FirewallTargetId): Promise<void> {
    const ref = reportRef.value;
    const chosen = target ?? ticketTarget.value ?? plan.value?.ticketTargets[0]?.id ?? null;
    if (!ref || !chosen) return;
    error.value = null;
    ticketTarget.value = chosen;
    step.value = 'ticket';
    const t = await call(() => bridge().firewall.ticket(ref, chosen));
    if (t && ticketTarget.value === chosen) ticket.value = t;
  }

  return {
    step,
    owner,
    reportRef,
    plan,
    consent,
    error,
    applied,
    undone,
    rechecked,
    recheckedAfterUndo,
    ticketTarget,
    ticket,
    open,
    close,
    apply,
    undo,
    prepareTicket,
  };
});
