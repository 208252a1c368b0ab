import { pathLabel, roomLabel } from '../report/summary';
import type { RoomType } from '../report/schema';
import type {
  LimitedBy,
  QualityGrade,
  QualityPath,
  QualityRates,
  QualityResult,
  Supports,
  VerdictQuality,
} from './schema';

/**
 * Judging call quality from measured numbers: pure, the same for both sensors, the CLI, the app and
 * the report. Every band is a published one, cited beside it; where two sources differ, the band
 * says which edge comes from which.
 */

const GRADES: readonly QualityGrade[] = ['good', 'fair', 'poor', 'unusable'];
type Level = 0 | 1 | 2 | 3;

/** Upper edges (exclusive) of good, fair and poor; anything at or above the last is unusable. */
type Bands = readonly [good: number, fair: number, poor: number];

/**
 * Round trip, ms. good < 250: Twilio video diagnostics "good" (< 250 ms), Daily testCallQuality good
 * max RTT < 300 ms; fair < 400: Twilio "suboptimal" (< 400 ms); poor < 600: Daily "warning"
 * (300–600 ms); beyond: Daily "bad".
 * https://github.com/twilio/twilio-video-diagnostics-react-app , https://docs.daily.co/reference/daily-js/instance-methods/test-call-quality
 */
export const RTT_BANDS_MS: Bands = [250, 400, 600];

/**
 * Packet loss, percent. good < 1: Twilio "excellent" (< 1 %), Microsoft Teams network requirement
 * (< 1 %); fair < 3: Twilio "good"; poor < 10: Twilio "suboptimal" (< 8 %) up to Daily's "warning"
 * edge (5–10 %); beyond: Daily "bad", and Jitsi's pre-call test's 10 % video-loss band.
 * https://learn.microsoft.com/microsoftteams/prepare-network , https://github.com/jitsi/lib-jitsi-meet (modules/statistics/PreCallTest.ts)
 */
export const LOSS_BANDS_PCT: Bands = [1, 3, 10];

/**
 * Interarrival jitter, ms. good < 10: Twilio "good" (< 10 ms); fair < 30: Twilio "suboptimal" and
 * Microsoft Teams (< 30 ms). No published source calls jitter alone unusable: the MOS band decides that.
 */
export const JITTER_BANDS_MS: Bands = [10, 30, Infinity];

/**
 * E-model MOS bands from Vonage's network test (opentok-network-test-js, testQuality/helpers/config.ts):
 * 3.8–4.5 excellent, 3.1–3.79 good, 2.4–3.09 fair, 1.7–2.39 poor, < 1.7 bad. Here: ≥ 3.8 good,
 * ≥ 3.1 fair, ≥ 1.7 poor, below unusable. https://github.com/opentok/opentok-network-test-js
 */
export const MOS_GOOD = 3.8;
export const MOS_FAIR = 3.1;
export const MOS_POOR = 1.7;

/** `audio` needs at least this MOS (the lower edge of Vonage's "good"). */
export const AUDIO_MIN_MOS = MOS_FAIR;

/**
 * A path "sustains" a rate when the slower direction delivered at least this share of it: a paced
 * measurement that aims exactly at the rate lands a few percent under it from timer granularity alone.
 */
export const SUSTAIN_RATIO = 0.9;

const level = (v: number, b: Bands): Level => (v < b[0] ? 0 : v < b[1] ? 1 : v < b[2] ? 2 : 3);

/**
 * E-model MOS (ITU-T G.107, in the simplified form Twilio's SDKs use):
 * EL = rtt + 2·jitter + 10; R = 94.768 − EL/40 (EL < 160), 94.768 − (EL − 120)/10 (EL < 1000), else 0;
 * R = max(R − 2.5·loss%, 6.52) when loss% ≤ R/2.5, else 0; MOS = 1 + 0.035R + 7·10⁻⁶·R(R − 60)(100 − R).
 * https://www.itu.int/rec/T-REC-G.107 , https://github.com/twilio/twilio-video.js (lib/preflight/mos.ts)
 */
export function mosFrom(rttMs: number, jitterMs: number, lossPct: number): number {
  const el = rttMs + 2 * jitterMs + 10;
  let r = el < 160 ? 94.768 - el / 40 : el < 1000 ? 94.768 - (el - 120) / 10 : 0;
  r = lossPct <= r / 2.5 ? Math.max(r - 2.5 * lossPct, 6.52) : 0;
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.round(Math.min(4.5, Math.max(1, mos)) * 100) / 100;
}

/**
 * Bandwidth level of a delivered rate, scaled to the profile's rates the way Twilio's bitrate bands
 * are to its own needs (> 1000 excellent, > 500 good, > 150 kbit/s suboptimal): good at the video
 * rate, fair at half of it, poor at the audio rate, below that unusable.
 */
function bandwidthLevel(kbps: number, rates: QualityRates): Level {
  if (kbps >= rates.videoKbps * SUSTAIN_RATIO) return 0;
  if (kbps >= (rates.videoKbps / 2) * SUSTAIN_RATIO) return 1;
  if (kbps >= rates.audioKbps * SUSTAIN_RATIO) return 2;
  return 3;
}

/** The numbers a grade is made from (a quality entry, or a measurement before it becomes one). */
export interface QualityNumbers {
  upKbps: number;
  downKbps: number;
  rttMs: number | null;
  rttLoadedMs: number | null;
  jitterMs: number | null;
  lossPct: number;
  /** False when the method cannot measure throughput (STUN echo): bandwidth is then left out. */
  bandwidthMeasured?: boolean;
}

export interface Judgement {
  grade: QualityGrade;
  mos: number | null;
  limitedBy: LimitedBy[];
}

/**
 * Grade = the worst of latency (the loaded round trip when there is one: that is what a call sees),
 * loss, jitter, bandwidth and MOS. `limitedBy` names every metric below good, worst first; when only
 * the MOS (which combines them) is below good, it names the E-model term that costs most.
 * Nothing came back at all → unusable, limited by loss.
 */
export function judge(n: QualityNumbers, rates: QualityRates): Judgement {
  const rtt = n.rttLoadedMs ?? n.rttMs;
  if (rtt === null || n.lossPct >= 100) return { grade: 'unusable', mos: null, limitedBy: ['loss'] };
  const jitter = n.jitterMs ?? 0;
  const mos = mosFrom(rtt, jitter, n.lossPct);
  const levels: [LimitedBy, Level][] = [
    ['bandwidth', n.bandwidthMeasured === false ? 0 : bandwidthLevel(Math.min(n.upKbps, n.downKbps), rates)],
    ['loss', level(n.lossPct, LOSS_BANDS_PCT)],
    ['jitter', level(jitter, JITTER_BANDS_MS)],
    ['latency', level(rtt, RTT_BANDS_MS)],
  ];
  const mosLevel: Level = mos >= MOS_GOOD ? 0 : mos >= MOS_FAIR ? 1 : mos >= MOS_POOR ? 2 : 3;
  const worst = Math.max(mosLevel, ...levels.map(([, l]) => l)) as Level;
  const limitedBy = levels
    .filter(([, l]) => l > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([m]) => m);
  if (limitedBy.length === 0 && mosLevel > 0) {
    // E-model: loss costs 2.5 R per percent, delay (rtt + 2·jitter) 1/40 R per ms below 160 ms.
    const lossCost = 2.5 * n.lossPct;
    const delayCost = (rtt + 2 * jitter) / 40;
    limitedBy.push(lossCost >= delayCost ? 'loss' : 2 * jitter > rtt ? 'jitter' : 'latency');
  }
  return { grade: GRADES[worst]!, mos, limitedBy };
}

const rank = (g: QualityGrade): number => GRADES.indexOf(g);

/**
 * What a path carries, from the profile's rates: `hd-video` when both directions sustain the HD rate
 * with grade good; `video` at the video rate with at least fair; `audio` at the audio rate with
 * MOS ≥ 3.1; else `none`. A measurement that cannot measure throughput (STUN echo) proves at most
 * `audio`: its packets are audio-sized.
 */
export function supports(
  q: Pick<QualityResult, 'upKbps' | 'downKbps' | 'grade' | 'mos'> & { bandwidthMeasured?: boolean },
  rates: QualityRates,
): Supports {
  const slow = Math.min(q.upKbps, q.downKbps);
  const sustains = (kbps: number): boolean => slow >= kbps * SUSTAIN_RATIO;
  if (q.bandwidthMeasured !== false) {
    if (sustains(rates.hdVideoKbps) && q.grade === 'good') return 'hd-video';
    if (sustains(rates.videoKbps) && rank(q.grade) <= rank('fair')) return 'video';
  }
  if ((q.bandwidthMeasured === false || sustains(rates.audioKbps)) && q.mos !== null && q.mos >= AUDIO_MIN_MOS)
    return 'audio';
  return 'none';
}

const SUPPORT_RANK: Record<Supports, number> = { 'hd-video': 0, video: 1, audio: 2, none: 3 };

/**
 * Added latency of a relay: its round trip minus the direct path's (or the STUN server's) round trip,
 * ms, never below 0 (a relay cannot be faster than the path it rides on; a negative difference is
 * noise). Null when either is unknown.
 */
export function addedLatency(
  relayRttMs: number | null | undefined,
  baselineRttMs: number | null | undefined,
): number | null {
  if (relayRttMs == null || baselineRttMs == null) return null;
  return Math.round(Math.max(0, relayRttMs - baselineRttMs) * 10) / 10;
}

const isDirect = (p: QualityPath): boolean => p === 'direct-udp' || p === 'direct-tcp';

/**
 * A verdict's `quality` from the entries measured on its path (both sensors when both ran). A call
 * may meet either sensor's conditions, so the verdict takes the less capable entry; the evidence
 * lists all of them. `baselineRttMs` is the direct path's or STUN's round trip, for relays.
 * Undefined when nothing was measured.
 */
export function verdictQuality(
  path: QualityPath,
  entries: readonly QualityResult[],
  rates: QualityRates,
  baselineRttMs?: number | null,
): VerdictQuality | undefined {
  const on = entries.filter((e) => e.path === path);
  if (on.length === 0) return undefined;
  // a call that never settled describes its start-up: judged by only when nothing else measured the path
  const settled = on.filter((e) => e.settled !== false);
  const scored = (settled.length > 0 ? settled : on).map((e) => ({ e, s: supports(e, rates) }));
  scored.sort((a, b) => SUPPORT_RANK[b.s] - SUPPORT_RANK[a.s] || rank(b.e.grade) - rank(a.e.grade));
  const { e, s } = scored[0]!;
  return {
    grade: e.grade,
    supports: s,
    measuredKbps: Math.round(Math.min(e.upKbps, e.downKbps)),
    addedLatencyMs: isDirect(path) ? 0 : addedLatency(e.rttMs, baselineRttMs),
    evidence: on.map((x) => x.id),
    mos: e.mos,
    limitedBy: e.limitedBy,
  };
}

/** How far the two sensors may differ before it is a finding. */
export const SENSOR_TOLERANCE = {
  /** Relative difference of the slower direction's rate, when either is below its target. */
  rateRatio: 0.25,
  /** Loss, percentage points. */
  lossPoints: 3,
  /**
   * Loss, percentage points, the page's call may read above the engine's when both found the path
   * carrying less than their targets (a bottleneck): the browser's congestion control (Google
   * Congestion Control, draft-ietf-rmcat-gcc-02 §6, "Loss-based control") holds its rate while
   * 2–10 % of its packets are lost, so a call at a link's capacity keeps probing into loss the
   * path itself does not have, while the engine's paced stream counts loss only below capacity.
   * Seen in the lab at 400 kbit/s: 0–3.3 % in the page, 0 % in the engine.
   */
  bottleneckLossPoints: 10,
};

export interface QualityFinding {
  code: 'quality-sensors-disagree';
  severity: 'warn';
  message: string;
}

/**
 * Engine and page measured the same path: do they tell the same story? Rates are compared only when
 * either sensor fell short of its own target (two measurements that both reached their targets agree
 * whatever the targets), loss by points (more of them for the page's call at a bottleneck both found:
 * `SENSOR_TOLERANCE.bottleneckLossPoints`), and the grades by more than one step.
 */
export function sensorDisagreement(engine: QualityResult, webrtc: QualityResult): QualityFinding | undefined {
  const reasons: string[] = [];
  const slow = (q: QualityResult): number => Math.min(q.upKbps, q.downKbps);
  const short = (q: QualityResult): boolean => slow(q) < q.targetKbps * SUSTAIN_RATIO;
  if ((short(engine) || short(webrtc)) && engine.bandwidthMeasured !== false && webrtc.bandwidthMeasured !== false) {
    const a = short(engine) ? slow(engine) : Math.min(slow(engine), webrtc.targetKbps);
    const b = short(webrtc) ? slow(webrtc) : Math.min(slow(webrtc), engine.targetKbps);
    const hi = Math.max(a, b);
    if (hi > 0 && Math.abs(a - b) / hi > SENSOR_TOLERANCE.rateRatio)
      reasons.push(`rate ${formatRate(a)} (engine) vs ${formatRate(b)} (in the page)`);
  }
  // a call that never settled measured its own start-up's loss: not comparable
  const comparable = engine.settled !== false && webrtc.settled !== false;
  // at a bottleneck both found, the page's own congestion control may add loss (SENSOR_TOLERANCE)
  // (only where both measured throughput: a STUN echo's rate says nothing of a bottleneck)
  const measured = engine.bandwidthMeasured !== false && webrtc.bandwidthMeasured !== false;
  const ownCongestion = measured && short(engine) && short(webrtc) && webrtc.lossPct > engine.lossPct;
  const lossPoints = ownCongestion ? SENSOR_TOLERANCE.bottleneckLossPoints : SENSOR_TOLERANCE.lossPoints;
  if (comparable && Math.abs(engine.lossPct - webrtc.lossPct) > lossPoints)
    reasons.push(`loss ${formatPct(engine.lossPct)} vs ${formatPct(webrtc.lossPct)}`);
  if (comparable && Math.abs(rank(engine.grade) - rank(webrtc.grade)) > 1)
    reasons.push(`grade ${engine.grade} vs ${webrtc.grade}`);
  if (reasons.length === 0) return undefined;
  return {
    code: 'quality-sensors-disagree',
    severity: 'warn',
    message: `The two measurements of ${pathLabel(engine.path)} (${engine.host}:${engine.port}) disagree: ${reasons.join(', ')}. The app's own call is what users meet; the engine's numbers may be limited by this computer or by a middlebox treating the two differently.`,
  };
}

/** "2.4 Mbit/s" from 1000 kbit/s up, "400 kbit/s" below. */
export function formatRate(kbps: number): string {
  return kbps >= 1000 ? `${(Math.round(kbps / 100) / 10).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

function formatPct(p: number): string {
  return `${p < 10 ? Math.round(p * 10) / 10 : Math.round(p)} %`;
}

const SUPPORT_TEXT: Record<Supports, string> = {
  'hd-video': 'HD video works',
  video: 'video works',
  audio: 'audio only',
  none: 'too poor for calls',
};

/**
 * The plain-language sentence the summary, the verdict cards, the PDF and the CLI share, e.g.
 * "Group calls will relay through TURN over UDP — 2.4 Mbit/s, 0.3 % loss, 4 ms jitter: video works (MOS 4.3)".
 */
export function qualitySentence(
  room: RoomType,
  path: QualityPath,
  q: Pick<VerdictQuality, 'supports' | 'measuredKbps'>,
  entry: Pick<QualityResult, 'lossPct' | 'jitterMs' | 'mos' | 'bandwidthMeasured'>,
): string {
  const how = isDirect(path)
    ? `send media directly over ${path === 'direct-udp' ? 'UDP' : 'TCP'}`
    : `relay through ${pathLabel(path)}`;
  const rate = entry.bandwidthMeasured === false ? 'throughput not measured' : formatRate(q.measuredKbps);
  const jitter = entry.jitterMs === null ? 'jitter unknown' : `${Math.round(entry.jitterMs)} ms jitter`;
  const mos = entry.mos === null ? '' : ` (MOS ${entry.mos.toFixed(1)})`;
  return `${roomLabel(room)} will ${how} — ${rate}, ${formatPct(entry.lossPct)} loss, ${jitter}: ${SUPPORT_TEXT[q.supports]}${mos}`;
}

/**
 * The added latency next to the provider document's claim ("< 50 ms" for TURN over UDP, "> 50 ms"
 * for TURN over TCP/TLS), e.g. "adds 3 ms (measured; the provider states less than 50 ms)".
 */
export function addedLatencyText(path: QualityPath, addedMs: number | null): string {
  if (isDirect(path)) return 'no relay in the media path';
  const claim = path === 'turn-udp' ? 'less than 50 ms' : 'more than 50 ms';
  if (addedMs === null) return `added delay not measured (the provider states ${claim})`;
  const v = addedMs < 10 ? Math.round(addedMs * 10) / 10 : Math.round(addedMs);
  return `adds ${v} ms (measured; the provider states ${claim})`;
}
