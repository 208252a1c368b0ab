import { z } from 'zod';

/**
 * Call quality on the paths that work: the report's `quality: [...]` entries (one per measured path
 * and sensor), the `quality` object each verdict gains, and the profile's optional `quality` rates.
 * Report fields are only ever added, never renamed: outside checks read these names.
 */

/** The paths a quality measurement can be made on (a verdict's path minus `blocked`). */
export const QualityPathSchema = z.enum(['direct-udp', 'direct-tcp', 'turn-udp', 'turn-tcp', 'turn-tls']);
export type QualityPath = z.infer<typeof QualityPathSchema>;

/** engine = this program's own sockets (CLI, lab); webrtc = a short call between two peers of the page. */
export const QualitySensorSchema = z.enum(['engine', 'webrtc']);
export type QualitySensor = z.infer<typeof QualitySensorSchema>;

export const QualityGradeSchema = z.enum(['good', 'fair', 'poor', 'unusable']);
export type QualityGrade = z.infer<typeof QualityGradeSchema>;

/** What held a path back; the first is the worst. */
export const LimitedBySchema = z.enum(['bandwidth', 'loss', 'jitter', 'latency']);
export type LimitedBy = z.infer<typeof LimitedBySchema>;

export const SupportsSchema = z.enum(['hd-video', 'video', 'audio', 'none']);
export type Supports = z.infer<typeof SupportsSchema>;

/**
 * How the numbers were obtained, because they do not all mean the same:
 * - `turn-stream`: two allocations on one TURN server, a paced stream from one through its relay to
 *   the other, both ways (the engine's measurement of a relay).
 * - `stun-echo`: Binding requests to a STUN server answered one by one. Round trip only, at an
 *   audio-like packet rate with request-sized packets: it cannot measure video throughput.
 * - `webrtc-call`: a real call (video + audio tracks) between two peers of the page over this path.
 */
export const QualityMethodSchema = z.enum(['turn-stream', 'stun-echo', 'webrtc-call']);
export type QualityMethod = z.infer<typeof QualityMethodSchema>;

const kbps = z.number().nonnegative().max(10_000_000);
const ms = z.number().nonnegative().max(600_000);

/** One measurement of one path by one sensor. */
export const QualityResultSchema = z.object({
  /**
   * `quality:<path>:<host>:<port>`, with `:webrtc` appended for the page's sensor; the engine's
   * measurement over IPv6 has `/v6` appended (the id of its check, report/family.ts).
   */
  id: z.string().min(1).max(300),
  /**
   * Address family the engine measured over (the report's check `family`); absent for the page's
   * sensor and in older reports (read with familyOf: a `/v6` id is IPv6, anything else IPv4).
   */
  family: z.union([z.literal(4), z.literal(6)]).optional(),
  path: QualityPathSchema,
  sensor: QualitySensorSchema,
  host: z.string().max(300),
  port: z.number().int().min(0).max(65535),
  durationMs: ms,
  /** The rate the measurement aimed at, kbit/s (the HD rate unless told otherwise). */
  targetKbps: kbps,
  /** Delivered rate from this computer towards the far side, kbit/s. */
  upKbps: kbps,
  /** Delivered rate towards this computer, kbit/s. */
  downKbps: kbps,
  /** Round trip while nearly idle, ms; null when nothing came back. */
  rttMs: ms.nullable(),
  /** Round trip at the highest rate reached, ms; null when nothing came back. */
  rttLoadedMs: ms.nullable(),
  /** RFC 3550 §6.4.1 interarrival jitter, ms (the worse direction). */
  jitterMs: ms.nullable(),
  /** Packets lost, percent (the worse direction), measured below the path's capacity when possible. */
  lossPct: z.number().min(0).max(100),
  /** E-model MOS, 1..4.5; null when nothing came back. */
  mos: z.number().min(1).max(5).nullable(),
  grade: QualityGradeSchema,
  limitedBy: z.array(LimitedBySchema).max(4),
  /** Delivered rate over time, `[ms since start, kbit/s]`, at most 64 points. */
  samples: z.array(z.tuple([ms, kbps])).max(64),
  method: QualityMethodSchema.optional(),
  /** False when the method cannot measure throughput (stun-echo): rates are then not a capacity. */
  bandwidthMeasured: z.boolean().optional(),
  /** Why the measurement stopped: target met, rate stopped growing, time budget, error. */
  stopped: z.enum(['target-met', 'plateau', 'time', 'error', 'aborted']).optional(),
  /**
   * False when the page's call never settled: its sender offered more than the path carries for
   * the whole call (common/quality/call-windows.ts), so its loss and grade describe a call's
   * start-up, not a settled call. A verdict then relies on the path's other entries.
   */
  settled: z.boolean().optional(),
  notes: z.array(z.string().max(500)).max(16).optional(),
});
export type QualityResult = z.infer<typeof QualityResultSchema>;

/** The quality of the path a verdict chose. */
export const VerdictQualitySchema = z.object({
  grade: QualityGradeSchema,
  supports: SupportsSchema,
  /** The slower direction of the measurement the verdict relies on, kbit/s. */
  measuredKbps: kbps,
  /** Relay round trip minus the direct (or STUN) round trip, ms; 0 on direct paths; null when unknown. */
  addedLatencyMs: z.number().min(0).max(600_000).nullable(),
  /** Ids of the `quality` entries behind it. */
  evidence: z.array(z.string().max(300)).max(16),
  mos: z.number().min(1).max(5).nullable().optional(),
  limitedBy: z.array(LimitedBySchema).max(4).optional(),
});
export type VerdictQuality = z.infer<typeof VerdictQualitySchema>;

/** Default rates (kbit/s) a call needs: HD video, video, audio. Profiles may set their own. */
export const DEFAULT_QUALITY_RATES = { hdVideoKbps: 2500, videoKbps: 1000, audioKbps: 100 } as const;
export type QualityRates = { hdVideoKbps: number; videoKbps: number; audioKbps: number };

/** 1 Gbit/s: no call needs more; a larger number is a typo (bits vs kbit). */
export const MAX_PROFILE_RATE_KBPS = 1_000_000;

const rate = z
  .number({ message: 'must be a number (kbit/s)' })
  .positive('must be more than 0 kbit/s')
  .max(MAX_PROFILE_RATE_KBPS, `must be at most ${MAX_PROFILE_RATE_KBPS} kbit/s (1 Gbit/s)`);

/**
 * The profile's optional `quality` object. Each rate may be left out (the default applies), but the
 * rates in effect must keep their order, HD ≥ video ≥ audio; the error names the field that breaks it.
 */
export const ProfileQualitySchema = z
  .strictObject({ hdVideoKbps: rate.optional(), videoKbps: rate.optional(), audioKbps: rate.optional() })
  .superRefine((q, ctx) => {
    const r = qualityRates(q);
    if (r.videoKbps > r.hdVideoKbps) {
      ctx.addIssue({
        code: 'custom',
        path: [q.videoKbps !== undefined ? 'videoKbps' : 'hdVideoKbps'],
        message: `the video rate (${r.videoKbps} kbit/s) must not exceed the HD video rate (${r.hdVideoKbps} kbit/s)`,
      });
    }
    if (r.audioKbps > r.videoKbps) {
      ctx.addIssue({
        code: 'custom',
        path: [q.audioKbps !== undefined ? 'audioKbps' : 'videoKbps'],
        message: `the audio rate (${r.audioKbps} kbit/s) must not exceed the video rate (${r.videoKbps} kbit/s)`,
      });
    }
  });
export type ProfileQuality = z.infer<typeof ProfileQualitySchema>;

/** The rates in effect: the profile's where it sets them, the defaults elsewhere. */
export function qualityRates(q: Partial<QualityRates> | undefined): QualityRates {
  return {
    hdVideoKbps: q?.hdVideoKbps ?? DEFAULT_QUALITY_RATES.hdVideoKbps,
    videoKbps: q?.videoKbps ?? DEFAULT_QUALITY_RATES.videoKbps,
    audioKbps: q?.audioKbps ?? DEFAULT_QUALITY_RATES.audioKbps,
  };
}

/** The stable id of a quality entry. */
export function qualityId(path: QualityPath, host: string, port: number, sensor: QualitySensor = 'engine'): string {
  return `quality:${path}:${host}:${port}${sensor === 'webrtc' ? ':webrtc' : ''}`;
}
