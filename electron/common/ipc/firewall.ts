import { z } from 'zod';
import { FIREWALL_TARGET_IDS, type FirewallTargetId } from '../firewall/registry';
import type { RuleFormat } from '../firewall/types';
import type { ReportComparison } from '../report/compare';
import type { BlockedRequirement, Report } from '../report/schema';
import { HistoryIdSchema } from './history';
import { RunIdSchema } from './diagnosis';

/**
 * `firewall` domain: "fix my firewall". The page sends only which report (history id, or the runId
 * of a finished run) and the user's consent — never rule text, addresses or commands. Main
 * recomputes the fix plan from the stored report and profile, validates it and runs the fixed script.
 */
export const FirewallChannel = {
  plan: 'firewall:plan',
  apply: 'firewall:apply',
  undo: 'firewall:undo',
  recheck: 'firewall:recheck',
  ticket: 'firewall:ticket',
} as const;

/** Which report: a saved one by history id, or a run of this session by its runId. */
export const ReportRefSchema = z.union([
  z.strictObject({ reportId: HistoryIdSchema }),
  z.strictObject({ runId: RunIdSchema }),
]);
export type ReportRef = z.infer<typeof ReportRefSchema>;

export const FirewallPlanRequestSchema = ReportRefSchema;

/** Apply and undo need the user's explicit consent: a literal `true`, never a default. */
export const FirewallApplyRequestSchema = z.union([
  z.strictObject({ reportId: HistoryIdSchema, consent: z.literal(true, 'consent is required') }),
  z.strictObject({ runId: RunIdSchema, consent: z.literal(true, 'consent is required') }),
]);
export type FirewallApplyRequest = z.infer<typeof FirewallApplyRequestSchema>;
export const FirewallUndoRequestSchema = FirewallApplyRequestSchema;
export const FirewallRecheckRequestSchema = ReportRefSchema;

export const FirewallTicketRequestSchema = z.union([
  z.strictObject({ reportId: HistoryIdSchema, target: z.enum(FIREWALL_TARGET_IDS) }),
  z.strictObject({ runId: RunIdSchema, target: z.enum(FIREWALL_TARGET_IDS) }),
]);
export type FirewallTicketRequest = z.infer<typeof FirewallTicketRequestSchema>;

/** What the Fix dialog shows: planFix's answer, with the rules as text (display only). */
export interface FirewallPlanView {
  /** The history id the plan was computed from (what apply/undo/recheck/ticket/PDF refer to). */
  reportId: string;
  mode: 'local' | 'ticket' | 'none';
  canApply: boolean;
  /** Why one-click apply is not offered, in one plain sentence; null when it is. */
  refusal: string | null;
  summary: string;
  /** Why the block is thought to be on this computer, at the network's edge or the proxy, from the evidence (absent from older mains). */
  why?: string[];
  /** Exactly the rules that apply would add (local firewall syntax), and how undo removes them. */
  local: {
    target: FirewallTargetId;
    label: string;
    format: RuleFormat;
    text: string;
    undo: string | null;
    notes: string[];
  } | null;
  /** Requirements blocked outside this computer (the ticket's subject). */
  ticket: BlockedRequirement[];
  /** Targets the ticket can be written for (perimeter, cloud, proxy), the suggested one first. */
  ticketTargets: Array<{ id: FirewallTargetId; label: string; kind: string }>;
  /** True when rules from this report are applied now (this session). */
  applied: boolean;
}

export interface FirewallApplied {
  ok: boolean;
  /** Rules added (apply) or removed (undo). */
  changed: number;
  /** root/pkexec: Linux; uac: Windows UAC prompt; admin-prompt: macOS administrator prompt. */
  elevation: 'root' | 'pkexec' | 'uac' | 'admin-prompt' | null;
  /** The script's error (validation, nft, cancelled prompt); null on success. */
  error: string | null;
}

export interface FirewallRechecked {
  /** The merged report, saved to history under `afterId`. */
  afterId: string;
  beforeId: string;
  report: Report;
  comparison: ReportComparison;
  /** Ids of the checks that were re-run, with their status before and after. */
  rerun: Array<{ id: string; label: string; before: string; after: string }>;
}

export interface FirewallTicket {
  target: FirewallTargetId;
  label: string;
  format: RuleFormat;
  text: string;
  notes: string[];
  /** The evidence: the plain-text ticket summary of the report. */
  summary: string;
}

export const FirewallErrorCode = {
  refused: 'fix-refused',
  unavailable: 'firewall-unavailable',
  profileUnknown: 'profile-unknown',
  notApplied: 'not-applied',
  invalidRules: 'invalid-rules',
  recheckFailed: 'recheck-failed',
  /** Another apply, undo or re-check is still running. */
  busy: 'fix-busy',
  /** The user said no in main's own confirmation dialog. */
  cancelled: 'fix-cancelled',
} as const;
