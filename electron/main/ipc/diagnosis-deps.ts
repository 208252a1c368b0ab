/** What main's `diagnosis:*` handlers (./diagnosis-handlers.ts) need from the rest of the app, injectable for tests. */
import type { EventChannel, EventMap } from '#common/ipc/contract';
import type { WebrtcPlan } from '#common/ipc/diagnosis';
import type { IpcResult } from '#common/ipc/result';
import type { Credentials, Profile } from '#common/profile/schema';
import type { DiagnosisEvent } from '#common/report/progress';
import type { Report, RoomType } from '#common/report/schema';
import type { CredentialStore } from '../credentials-store';

/** What main needs from the engine (electron/node/engine `diagnose`); the CLI drives the same function. */
export interface DiagnosisEngine {
  diagnose(
    profile: Profile,
    options: {
      runId: string;
      rooms: RoomType[];
      signal: AbortSignal;
      onEvent: (event: DiagnosisEvent) => void;
      /** TURN credentials resolved by main (they override the profile's). */
      credentials?: { username: string; credential: string } | null;
      /** Electron's `session.resolveProxy`: the proxy Chromium would use for TURN over TCP/TLS. */
      resolveProxy?: (url: string) => Promise<string>;
      /** Call quality on the paths that work (the engine's sensor); its streams wait for `after`. */
      quality?: { enabled: boolean; after?: Promise<unknown> };
      /** Whole-run deadline (the engine's default when absent). */
      deadlineMs?: number;
    },
  ): Promise<Report>;
}

export interface DiagnosisDeps {
  engine?: DiagnosisEngine;
  /** Sends an event to the renderer (the same function as HandlerDeps.emit). */
  emit<E extends EventChannel>(channel: E, payload: EventMap[E]): void;
  resolveProxy?: (url: string) => Promise<string>;
  /** Secrets remembered with safeStorage; absent → nothing can be remembered (and the page says so). */
  credentialStore?: CredentialStore;
  /** Resolves a profile's credentials into a TURN pair (default: electron/node/credentials). */
  resolveCredentials?: (
    c: Credentials,
    opts: { deadlineMs: number; signal?: AbortSignal },
  ) => Promise<{ username: string; credential: string } | null>;
  /** WebRTC suite: how long main waits for the page's results after the run started (ms; default: the engine's
   * deadline with the page's suite plus the page's call), and the suite's own knobs. */
  /** `qualityDirectionMs: null`: the page measures no call quality. */
  webrtc?: { waitMs?: number; graceMs?: number; qualityDirectionMs?: number | null } & Partial<
    Pick<WebrtcPlan, 'connectDeadlineMs' | 'streamMs' | 'packetRate'>
  >;
  /** Called with the final (merged) report of every run that completed; history saves it. */
  onCompleted?: (runId: string, report: Report, profile: Profile) => void;
  /** Name → address for the suite's STUN/TURN URLs (default: the system resolver, IPv4 first). */
  lookup?: (host: string) => Promise<string>;
  /** Loads the built-in profiles (shared with `profiles:list`). */
  loadProfiles(): Promise<IpcResult<Profile[]>>;
  /** Folder of the built-in profiles: a built-in profile's relative `tls.ca` path is relative to it. */
  profilesDir?: string;
  /** Today's local date (`YYYY-MM-DD`), for the notice a run reports. */
  today?: () => string;
  /** The profile with its cached published ranges as `addresses`, and their record for the report. */
  withRanges?: (p: Profile) => Promise<{ profile: Profile; feed?: { url: string; fetchedAt: string } }>;
  /** Before the page's WebRTC suite gets its plan: e.g. sign Chromium in to its proxy (proxy-login.ts). Bounded by its caller. */
  prepareBrowser?: (profile: Profile) => Promise<unknown>;
}
