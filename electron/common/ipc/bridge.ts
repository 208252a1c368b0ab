import type { DiagnosisEvent } from '../report/progress';
import type { AppInfo } from './app';
import type { CredentialsForgotten, CredentialsStatus, CredentialsTarget } from './credentials';
import type {
  DiagnosisCancelled,
  DiagnosisStarted,
  DiagnosisStartRequest,
  WebrtcPlan,
  WebrtcSubmitRequest,
  WebrtcSubmitted,
  LinkClaimed,
} from './diagnosis';
import type { ProfileEntry, ProfileRanges, ProfileValidation } from './profiles';
import type { IpcResult } from './result';
import type { ProxyAuthAnswered, ProxyAuthAnswerRequest, ProxyAuthPrompt } from './proxy-auth';
import type { FirewallApplied, FirewallPlanView, FirewallRechecked, FirewallTicket, ReportRef } from './firewall';
import type { FirewallTargetId } from '../firewall/registry';
import type {
  HistoryDeleted,
  HistoryItem,
  HistoryOpened,
  HistorySummary,
  ReportCompared,
  ReportPdfRequest,
  Saved,
} from './history';

/** Removes a listener added by an `onX` function. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * `window.pathcheck`: what the page may ask of main. Intent-named functions only — never a channel
 * parameter or an `ipcRenderer` — so the page cannot reach a channel that is not listed here.
 * The preload's object `satisfies` this interface, and the renderer is typed by it, so they cannot drift.
 */
export interface PathcheckBridge {
  app: {
    info(): Promise<IpcResult<AppInfo>>;
  };
  profiles: {
    /** The built-in provider profiles, the default first. */
    list(): Promise<IpcResult<ProfileEntry[]>>;
    /** Validates profile JSON text (for imports): the profile, or the field errors. */
    validate(text: string): Promise<IpcResult<ProfileValidation>>;
    /** Where a built-in profile's address ranges come from; `refresh` fetches its feed now. */
    ranges(profileId: string, refresh?: boolean): Promise<IpcResult<ProfileRanges>>;
  };
  diagnosis: {
    start(request: DiagnosisStartRequest): Promise<IpcResult<DiagnosisStarted>>;
    cancel(runId: string): Promise<IpcResult<DiagnosisCancelled>>;
    /** Progress of every run; filter by `runId`. */
    onEvent(listener: (event: DiagnosisEvent) => void): Unsubscribe;
    /** This run's ICE servers and credentials for the page's WebRTC suite (started with `webrtc: true`). */
    webrtcConfig(runId: string): Promise<IpcResult<WebrtcPlan>>;
    /** The suite's `webrtc:*` checks; main merges them into the run's report before `done`. */
    submitWebrtc(request: WebrtcSubmitRequest): Promise<IpcResult<WebrtcSubmitted>>;
    /** After the suite, before the page's quality call: resolves when main gives the page the link. */
    claimLink(runId: string): Promise<IpcResult<LinkClaimed>>;
  };
  credentials: {
    /** Whether secrets can be remembered here, and what is remembered for a profile (never the secret). */
    status(target: CredentialsTarget): Promise<IpcResult<CredentialsStatus>>;
    forget(target: CredentialsTarget): Promise<IpcResult<CredentialsForgotten>>;
  };
  history: {
    /** Saved reports, newest first. */
    list(): Promise<IpcResult<HistoryItem[]>>;
    open(id: string): Promise<IpcResult<HistoryOpened>>;
    remove(id: string): Promise<IpcResult<HistoryDeleted>>;
    /** Validates report JSON text (read by the page from a chosen file) and saves it. */
    importJson(text: string): Promise<IpcResult<HistoryItem>>;
    /** Main asks where to save (its own dialog) and writes the JSON. */
    exportJson(id: string): Promise<IpcResult<Saved>>;
    /** Short plain-text summary for a ticket. */
    summary(id: string): Promise<IpcResult<HistorySummary>>;
  };
  reports: {
    /** Main asks where to save and prints the report (optionally with comparison or rules appendix). */
    savePdf(request: ReportPdfRequest): Promise<IpcResult<Saved>>;
    compare(beforeId: string, afterId: string): Promise<IpcResult<ReportCompared>>;
  };
  firewall: {
    plan(ref: ReportRef): Promise<IpcResult<FirewallPlanView>>;
    /** Applies the rules main derives from that report; `consent` must be the user's explicit yes. */
    apply(ref: ReportRef, consent: true): Promise<IpcResult<FirewallApplied>>;
    undo(ref: ReportRef, consent: true): Promise<IpcResult<FirewallApplied>>;
    /** Re-runs only the failed checks of that report and saves the merged report. */
    recheck(ref: ReportRef): Promise<IpcResult<FirewallRechecked>>;
    ticket(ref: ReportRef, target: FirewallTargetId): Promise<IpcResult<FirewallTicket>>;
  };
  proxyAuth: {
    /** A proxy asked Chromium for credentials: show who asks and for which scheme, then `answer`. */
    onRequest(listener: (prompt: ProxyAuthPrompt) => void): Unsubscribe;
    /** The user's credentials (or cancel) for one prompt; main sends them only to the proxy that asked. */
    answer(request: ProxyAuthAnswerRequest): Promise<IpcResult<ProxyAuthAnswered>>;
  };
}

/**
 * The bridge's shape as data, for tests that check the page sees exactly this and nothing more.
 * The `satisfies` clause rejects a key the interface does not have; `BridgeShapeIsComplete` below
 * rejects an interface function that is missing here.
 */
export const BRIDGE_SHAPE = {
  app: ['info'],
  profiles: ['list', 'validate', 'ranges'],
  diagnosis: ['start', 'cancel', 'onEvent', 'webrtcConfig', 'submitWebrtc', 'claimLink'],
  credentials: ['status', 'forget'],
  history: ['list', 'open', 'remove', 'importJson', 'exportJson', 'summary'],
  reports: ['savePdf', 'compare'],
  firewall: ['plan', 'apply', 'undo', 'recheck', 'ticket'],
  proxyAuth: ['onRequest', 'answer'],
} as const satisfies { [K in keyof PathcheckBridge]: ReadonlyArray<keyof PathcheckBridge[K]> };

/** Compile-time check of the other direction: a bridge function missing from BRIDGE_SHAPE is an error here. */
type MissingFromShape = {
  [K in keyof PathcheckBridge]: Exclude<keyof PathcheckBridge[K], (typeof BRIDGE_SHAPE)[K][number]>;
}[keyof PathcheckBridge];
type AssertNever<T extends never> = T;
export type BridgeShapeIsComplete = AssertNever<MissingFromShape>;

/** The global name the preload exposes the bridge under. */
export const BRIDGE_GLOBAL = 'pathcheck';
