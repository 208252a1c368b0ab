import type { DiagnosisEvent } from '../report/progress';
import type { AppInfo } from './app';
import type { CredentialsForgotten, CredentialsStatus } from './credentials';
import type { DiagnosisCancelled, DiagnosisStarted, DiagnosisStartRequest, WebrtcPlan, WebrtcSubmitRequest, WebrtcSubmitted } from './diagnosis';
import type { ProfileEntry, ProfileValidation } from './profiles';
import type { IpcResult } from './result';

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
  };
  credentials: {
    /** Whether secrets can be remembered here, and what is remembered for a profile (never the secret). */
    status(profileId: string): Promise<IpcResult<CredentialsStatus>>;
    forget(profileId: string): Promise<IpcResult<CredentialsForgotten>>;
  };
}

/**
 * The bridge's shape as data, for tests that check the page sees exactly this and nothing more.
 * The `satisfies` clause rejects a key the interface does not have; `BridgeShapeIsComplete` below
 * rejects an interface function that is missing here.
 */
export const BRIDGE_SHAPE = {
  app: ['info'],
  profiles: ['list', 'validate'],
  diagnosis: ['start', 'cancel', 'onEvent', 'webrtcConfig', 'submitWebrtc'],
  credentials: ['status', 'forget'],
} as const satisfies { [K in keyof PathcheckBridge]: ReadonlyArray<keyof PathcheckBridge[K]> };

/** Compile-time check of the other direction: a bridge function missing from BRIDGE_SHAPE is an error here. */
type MissingFromShape = {
  [K in keyof PathcheckBridge]: Exclude<keyof PathcheckBridge[K], (typeof BRIDGE_SHAPE)[K][number]>;
}[keyof PathcheckBridge];
type AssertNever<T extends never> = T;
export type BridgeShapeIsComplete = AssertNever<MissingFromShape>;

/** The global name the preload exposes the bridge under. */
export const BRIDGE_GLOBAL = 'pathcheck';
