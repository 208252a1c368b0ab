import { z } from 'zod';
import { CredentialsSchema, ProfileSchema, TransportSchema } from '../profile/schema';
import { CheckResultSchema } from '../report/schema';
import { QualityResultSchema, type QualityRates } from '../quality/schema';

/**
 * `diagnosis` domain: start and cancel a run; progress streams back as events tagged with its runId.
 * The renderer is also the run's WebRTC sensor: it asks main for this run's ICE servers
 * (`webrtc-config`, credentials resolved in main and valid for this run only) and hands back its
 * `webrtc:*` checks (`submit-webrtc`); main merges them with the engine's and only then sends `done`.
 */
export const DiagnosisChannel = {
  start: 'diagnosis:start',
  cancel: 'diagnosis:cancel',
  webrtcConfig: 'diagnosis:webrtc-config',
  submitWebrtc: 'diagnosis:submit-webrtc',
  /** The page asks for the link for its call-quality measurement; main answers when it is the page's turn. */
  claimLink: 'diagnosis:claim-link',
  /** main -> renderer event; payload: `DiagnosisEvent` (common/report/progress). */
  event: 'diagnosis:event',
} as const;

export const RoomTypeSchema = z.enum(['group', 'p2p']);

/** Run ids are minted by main (`crypto.randomUUID()`); the renderer only echoes them back. */
export const RunIdSchema = z.uuid();

export const DiagnosisStartRequestSchema = z
  .strictObject({
    /** A built-in profile, by id ... */
    profileId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a profile id')
      .optional(),
    /** ... or a whole profile (an imported one), validated like a file on disk. */
    profile: ProfileSchema.optional(),
    rooms: z
      .array(RoomTypeSchema)
      .min(1, 'choose at least one room type')
      .max(2)
      .refine((r) => new Set(r).size === r.length, 'room types must not repeat'),
    /** Overrides the profile's credentials for this run; kept only when `remember` is true (safeStorage). */
    credentials: CredentialsSchema.optional(),
    /** Keep `credentials` for this profile, encrypted with the OS keychain (Electron safeStorage). */
    remember: z.boolean().optional(),
    /** Use the credentials remembered for this profile (ignored when `credentials` is given). */
    useSavedCredentials: z.boolean().optional(),
    /** The page will run the WebRTC suite: main waits (with a deadline) for `submit-webrtc` before `done`. */
    webrtc: z.boolean().optional(),
    /** Values for the profile's `${name}` placeholders; main checks them against the profile's patterns. */
    parameters: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a parameter name'), z.string().max(253))
      .optional(),
  })
  .refine((r) => (r.profileId === undefined) !== (r.profile === undefined), {
    message: 'give exactly one of profileId or profile',
    path: ['profileId'],
  });
/** What the renderer sends (defaults not yet applied). */
export type DiagnosisStartRequest = z.input<typeof DiagnosisStartRequestSchema>;

export interface DiagnosisStarted {
  runId: string;
  /** Present when credentials were to be remembered but could not be (safeStorage unavailable…). */
  rememberError?: string;
}

export const DiagnosisCancelRequestSchema = z.strictObject({ runId: RunIdSchema });
export type DiagnosisCancelRequest = z.infer<typeof DiagnosisCancelRequestSchema>;

/** `cancelled: false` means no such run was active (finished already, or never existed). */
export interface DiagnosisCancelled {
  cancelled: boolean;
}

// ---- WebRTC suite -------------------------------------------------------------------------------

export const WebrtcConfigRequestSchema = z.strictObject({ runId: RunIdSchema });

/** One ICE server of the profile, as the suite tests it: exactly one URL, so every check names one server. */
export interface WebrtcServer {
  /** The check id this server's result goes under (`webrtc:gather:stun:…` or `webrtc:relay:<t>:…`). */
  checkId: string;
  /** For TURN: the id of the gathering check (relay candidates and their relayProtocol). */
  gatherId?: string;
  kind: 'stun' | 'turn';
  transport: z.infer<typeof TransportSchema>;
  host: string;
  port: number;
  /** `stun:h:p`, `turn:h:p?transport=udp|tcp`, `turns:h:p?transport=tcp`. */
  url: string;
}

/**
 * What main hands the page for one run. The TURN secret is here because the browser's
 * RTCPeerConnection needs it; it lives only in the suite's memory for this run and is never stored
 * by the renderer.
 */
export interface WebrtcPlan {
  runId: string;
  servers: WebrtcServer[];
  /** Absent when the profile has no credentials (TURN servers are then skipped: a browser cannot allocate without them). */
  credentials?: { username: string; credential: string };
  /** Why there are no credentials, when resolving them failed (e.g. the token API refused). */
  credentialsError?: string;
  /** Per-server deadline for gathering and connecting, ms. */
  connectDeadlineMs: number;
  /** Length of the data-channel stream per relay, ms (jitter/loss/RTT). */
  streamMs: number;
  /** Packets per second of that stream. */
  packetRate: number;
  /** Run the direct (host/srflx, no relay) connection test. */
  direct: boolean;
  /**
   * Measure call quality after the suite: a short call over the first TURN transport (UDP, TCP, TLS)
   * whose relay test passed, once main granted the link (`diagnosis:claim-link`: the engine's own
   * quality streams are finished, they share the link). Absent: not measured.
   */
  quality?: { directionMs: number; targetKbps: number; rates: QualityRates };
}

/** Ids the suite may submit: `webrtc:gather:<t|stun>:<host>:<port>`, `webrtc:relay:<t>:<host>:<port>`, `webrtc:direct`. */
export const WEBRTC_CHECK_ID =
  /^webrtc:(?:(?:gather:(?:stun|udp|tcp|tls)|relay:(?:udp|tcp|tls)):\S{1,260}:\d{1,5}|direct)$/;

/** Largest evidence object accepted per WebRTC check (JSON characters). */
export const MAX_WEBRTC_EVIDENCE = 32 * 1024;

export const WebrtcCheckSchema = CheckResultSchema.extend({
  id: z.string().regex(WEBRTC_CHECK_ID, 'must be a webrtc:* check id'),
  kind: z.literal('webrtc'),
}).refine((c) => JSON.stringify(c.evidence ?? {}).length <= MAX_WEBRTC_EVIDENCE, {
  message: `evidence must be at most ${MAX_WEBRTC_EVIDENCE} characters of JSON`,
  path: ['evidence'],
});

/** Most quality entries one submit may carry. */
export const MAX_WEBRTC_QUALITY = 8;

export const WebrtcSubmitRequestSchema = z.strictObject({
  runId: RunIdSchema,
  checks: z.array(WebrtcCheckSchema).max(128),
  /** The page's call-quality entries (`quality:<path>:<host>:<port>:webrtc`), at most one per server of the plan. */
  quality: z.array(QualityResultSchema).max(MAX_WEBRTC_QUALITY).optional(),
  /** The suite could not run at all (no RTCPeerConnection, crashed): one sentence, shown as a finding. */
  error: z.string().max(500).optional(),
});
export type WebrtcSubmitRequest = z.input<typeof WebrtcSubmitRequestSchema>;

/**
 * `claim-link`: the page's reachability suite is finished and it would measure call quality. Main
 * answers once the engine's quality streams are done (they cross the same link), `granted: false`
 * with a sentence when the call would not fit before the run's deadline or the run is over.
 */
export const LinkClaimRequestSchema = z.strictObject({ runId: RunIdSchema });
export interface LinkClaimed {
  granted: boolean;
  reason?: string;
}

/** `accepted: false`: no such run waits for WebRTC results (finished, cancelled, or the deadline passed). */
export interface WebrtcSubmitted {
  accepted: boolean;
  /** Checks dropped because their ids were not in this run's plan. */
  rejected: string[];
}
