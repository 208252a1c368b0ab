import type { z } from 'zod';
import type { DiagnosisEvent } from '../report/progress';
import { AppChannel, AppInfoRequestSchema, type AppInfo } from './app';
import {
  CredentialsChannel,
  CredentialsForgetRequestSchema,
  CredentialsStatusRequestSchema,
  type CredentialsForgotten,
  type CredentialsStatus,
} from './credentials';
import {
  DiagnosisCancelRequestSchema,
  DiagnosisChannel,
  DiagnosisStartRequestSchema,
  WebrtcConfigRequestSchema,
  WebrtcSubmitRequestSchema,
  LinkClaimRequestSchema,
  type DiagnosisCancelled,
  type DiagnosisStarted,
  type WebrtcPlan,
  type WebrtcSubmitted,
  type LinkClaimed,
} from './diagnosis';
import {
  ProfilesChannel,
  ProfilesListRequestSchema,
  ProfilesRangesRequestSchema,
  ProfilesValidateRequestSchema,
  type ProfileEntry,
  type ProfileRanges,
  type ProfileValidation,
} from './profiles';
import type { IpcResult } from './result';
import {
  ProxyAuthAnswerRequestSchema,
  ProxyAuthChannel,
  type ProxyAuthAnswered,
  type ProxyAuthPrompt,
} from './proxy-auth';
import {
  FirewallApplyRequestSchema,
  FirewallChannel,
  FirewallPlanRequestSchema,
  FirewallRecheckRequestSchema,
  FirewallTicketRequestSchema,
  FirewallUndoRequestSchema,
  type FirewallApplied,
  type FirewallPlanView,
  type FirewallRechecked,
  type FirewallTicket,
} from './firewall';
import {
  HistoryChannel,
  HistoryIdRequestSchema,
  HistoryImportRequestSchema,
  HistoryListRequestSchema,
  ReportChannel,
  ReportCompareRequestSchema,
  ReportPdfRequestSchema,
  type HistoryDeleted,
  type HistoryItem,
  type HistoryOpened,
  type HistorySummary,
  type ReportCompared,
  type Saved,
} from './history';

/**
 * The whole renderer -> main surface in one table: every invoke channel and the schema main parses
 * its payload with. `handle()` in main registers exactly these channels, so a channel cannot be
 * served without a schema, and types below are derived from the table (one source of truth).
 */
export const requestSchemas = {
  [AppChannel.info]: AppInfoRequestSchema,
  [ProfilesChannel.list]: ProfilesListRequestSchema,
  [ProfilesChannel.validate]: ProfilesValidateRequestSchema,
  [ProfilesChannel.ranges]: ProfilesRangesRequestSchema,
  [DiagnosisChannel.start]: DiagnosisStartRequestSchema,
  [DiagnosisChannel.cancel]: DiagnosisCancelRequestSchema,
  [DiagnosisChannel.webrtcConfig]: WebrtcConfigRequestSchema,
  [DiagnosisChannel.submitWebrtc]: WebrtcSubmitRequestSchema,
  [DiagnosisChannel.claimLink]: LinkClaimRequestSchema,
  [CredentialsChannel.status]: CredentialsStatusRequestSchema,
  [CredentialsChannel.forget]: CredentialsForgetRequestSchema,
  [HistoryChannel.list]: HistoryListRequestSchema,
  [HistoryChannel.open]: HistoryIdRequestSchema,
  [HistoryChannel.delete]: HistoryIdRequestSchema,
  [HistoryChannel.import]: HistoryImportRequestSchema,
  [HistoryChannel.exportJson]: HistoryIdRequestSchema,
  [HistoryChannel.summary]: HistoryIdRequestSchema,
  [ReportChannel.pdf]: ReportPdfRequestSchema,
  [ReportChannel.compare]: ReportCompareRequestSchema,
  [FirewallChannel.plan]: FirewallPlanRequestSchema,
  [FirewallChannel.apply]: FirewallApplyRequestSchema,
  [FirewallChannel.undo]: FirewallUndoRequestSchema,
  [FirewallChannel.recheck]: FirewallRecheckRequestSchema,
  [FirewallChannel.ticket]: FirewallTicketRequestSchema,
  [ProxyAuthChannel.answer]: ProxyAuthAnswerRequestSchema,
} as const;

export type InvokeChannel = keyof typeof requestSchemas;

/** What the renderer may send on a channel (before schema defaults). */
export type RequestInput<C extends InvokeChannel> = z.input<(typeof requestSchemas)[C]>;
/** What a handler receives: the payload after parsing. */
export type Request<C extends InvokeChannel> = z.output<(typeof requestSchemas)[C]>;

/** What each channel answers with on success. */
export interface ResponseMap {
  [AppChannel.info]: AppInfo;
  [ProfilesChannel.list]: ProfileEntry[];
  [ProfilesChannel.validate]: ProfileValidation;
  [ProfilesChannel.ranges]: ProfileRanges;
  [DiagnosisChannel.start]: DiagnosisStarted;
  [DiagnosisChannel.cancel]: DiagnosisCancelled;
  [DiagnosisChannel.webrtcConfig]: WebrtcPlan;
  [DiagnosisChannel.submitWebrtc]: WebrtcSubmitted;
  [DiagnosisChannel.claimLink]: LinkClaimed;
  [CredentialsChannel.status]: CredentialsStatus;
  [CredentialsChannel.forget]: CredentialsForgotten;
  [HistoryChannel.list]: HistoryItem[];
  [HistoryChannel.open]: HistoryOpened;
  [HistoryChannel.delete]: HistoryDeleted;
  [HistoryChannel.import]: HistoryItem;
  [HistoryChannel.exportJson]: Saved;
  [HistoryChannel.summary]: HistorySummary;
  [ReportChannel.pdf]: Saved;
  [ReportChannel.compare]: ReportCompared;
  [FirewallChannel.plan]: FirewallPlanView;
  [FirewallChannel.apply]: FirewallApplied;
  [FirewallChannel.undo]: FirewallApplied;
  [FirewallChannel.recheck]: FirewallRechecked;
  [FirewallChannel.ticket]: FirewallTicket;
  [ProxyAuthChannel.answer]: ProxyAuthAnswered;
}
export type Response<C extends InvokeChannel> = ResponseMap[C];

/** The main -> renderer events and their payloads; every event carries a `runId`. */
export interface EventMap {
  [DiagnosisChannel.event]: DiagnosisEvent;
  [ProxyAuthChannel.request]: ProxyAuthPrompt;
}
export type EventChannel = keyof EventMap;

/**
 * The handler functions main registers. Plain async functions of an already-validated payload, so
 * that tests and the Chromium e2e harness call exactly what main serves.
 */
export type Handlers = { [C in InvokeChannel]: (request: Request<C>) => Promise<IpcResult<Response<C>>> };
