import type { CheckStatus } from '#common/report/schema';
import type { Reason } from '#common/report/reason';

/**
 * The outcome every probe returns (DNS, TCP, TLS here; STUN, TURN and NAT in ../stun), the one
 * shape the engine turns into a report check. `reason` is the report's vocabulary
 * (common/report/reason.ts), so a probe cannot invent a code the report does not know.
 */
export type ProbeStatus = CheckStatus;
export interface ProbeOutcome<E extends Record<string, unknown> = Record<string, unknown>> {
  status: ProbeStatus;
  /** First request → matching response, ms. */
  rttMs?: number;
  reason: Reason;
  /** One plain-English sentence a helpdesk person understands. */
  detail: string;
  evidence: E;
}
export interface ProbeOptions {
  deadlineMs: number;
  signal?: AbortSignal;
}
