/**
 * The outcome every probe returns. The STUN/TURN clients define the same shape in
 * electron/node/stun/types.ts; structural typing keeps the two compatible, so the engine can map
 * any probe outcome onto a report CheckResult without caring which module produced it.
 */
export type ProbeStatus = 'pass' | 'fail' | 'warn' | 'skipped';
export interface ProbeOutcome<E extends Record<string, unknown> = Record<string, unknown>> {
  status: ProbeStatus; rttMs?: number; reason: string; detail: string; evidence: E;
}
export interface ProbeOptions { deadlineMs: number; signal?: AbortSignal }
