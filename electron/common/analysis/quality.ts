import {
  addedLatencyText,
  qualitySentence,
  sensorDisagreement,
  supports,
  verdictQuality,
  type QualityFinding,
} from '../quality/grade';
import {
  QualityGradeSchema,
  qualityRates,
  type QualityGrade,
  type QualityPath,
  type QualityRates,
  type QualityResult,
  type VerdictQuality,
} from '../quality/schema';
import type { Profile } from '../profile/schema';
import type { CheckResult, MediaPath, RoomType, Verdict } from '../report/schema';
import { pathLabel } from '../report/summary';

/**
 * Call quality in the verdicts (docs/quality.md): each verdict's `quality` from the entries measured
 * on the path it chose, its summary sentence, a note about the relay it falls back to, and a finding
 * where the engine and the page measured the same path differently. Pure.
 */

const RELAYS: readonly QualityPath[] = ['turn-udp', 'turn-tcp', 'turn-tls'];
const GRADES = QualityGradeSchema.options;
const worse = (a: QualityGrade, b: QualityGrade): QualityGrade => (GRADES.indexOf(a) >= GRADES.indexOf(b) ? a : b);
const isQualityPath = (p: MediaPath | 'blocked'): p is QualityPath => p !== 'blocked';

/** The round trip relays are compared with: the direct path's STUN echo, else the fastest STUN Binding. */
export function baselineRtt(entries: readonly QualityResult[], checks: readonly CheckResult[]): number | null {
  const echo = entries.find((q) => q.path === 'direct-udp' && q.sensor === 'engine' && q.rttMs !== null);
  if (echo) return echo.rttMs;
  const stun = checks
    .filter((c) => c.kind === 'stun' && c.status === 'pass' && typeof c.rttMs === 'number')
    .map((c) => c.rttMs!);
  return stun.length ? Math.min(...stun) : null;
}

interface Judged {
  quality: VerdictQuality;
  /** The entry the numbers of the sentence come from. */
  entry: Pick<QualityResult, 'lossPct' | 'jitterMs' | 'mos' | 'bandwidthMeasured'>;
  note?: string;
}

/** The entry verdictQuality relied on: the least capable one of the path (same order as there). */
function reliedOn(q: VerdictQuality, entries: readonly QualityResult[]): QualityResult {
  const on = entries.filter((e) => q.evidence.includes(e.id));
  return on.find((e) => e.grade === q.grade && Math.round(Math.min(e.upKbps, e.downKbps)) === q.measuredKbps) ?? on[0]!;
}

/**
 * The quality of one path. A direct path measured only by the STUN echo (no throughput) takes its
 * throughput from a relay measured over the same link — a stream through the relay crosses this
 * computer's link as direct media would — and its grade is the worse of the two; the note says so.
 */
export function pathQuality(
  path: QualityPath,
  entries: readonly QualityResult[],
  rates: QualityRates,
  baseline: number | null,
): Judged | undefined {
  const own = verdictQuality(path, entries, rates, baseline);
  const direct = path === 'direct-udp' || path === 'direct-tcp';
  const onlyEcho = entries.filter((e) => e.path === path).every((e) => e.bandwidthMeasured === false);
  if (own && !(direct && onlyEcho)) return { quality: own, entry: reliedOn(own, entries) };
  if (!direct) return undefined;
  const relayPath = RELAYS.find((p) => entries.some((e) => e.path === p && e.bandwidthMeasured !== false));
  const relay = relayPath && verdictQuality(relayPath, entries, rates, baseline);
  if (!relay || !relayPath) return own ? { quality: own, entry: reliedOn(own, entries) } : undefined;
  if (!own) return undefined; // nothing measured on the direct path itself: its loss and delay are unknown
  const echo = reliedOn(own, entries);
  const grade = worse(own.grade, relay.grade);
  const mos = own.mos ?? null;
  const s = supports({ upKbps: relay.measuredKbps, downKbps: relay.measuredKbps, grade, mos }, rates);
  return {
    quality: {
      grade,
      supports: s,
      measuredKbps: relay.measuredKbps,
      addedLatencyMs: 0,
      evidence: [...own.evidence, ...relay.evidence],
      mos,
      limitedBy: [...new Set([...(own.limitedBy ?? []), ...(relay.limitedBy ?? [])])],
    },
    entry: { lossPct: echo.lossPct, jitterMs: echo.jitterMs, mos, bandwidthMeasured: true },
    note: `The direct path's throughput is the one measured through ${pathLabel(relayPath)} over the same link (a STUN echo measures round trip, jitter and loss only).`,
  };
}

/** The relay a verdict falls back to when its own path fails: the next working TURN rung of its ladder. */
function fallbackOf(path: QualityPath, working: readonly QualityPath[]): QualityPath | undefined {
  const from = RELAYS.indexOf(path);
  return working.find((p) => RELAYS.includes(p) && RELAYS.indexOf(p) > from);
}

/**
 * Adds `quality`, the summary sentence and the fallback note to a verdict, in place. `working` are
 * the ladder's rungs that were shown to work, in ladder order.
 */
export function attachQuality(
  room: RoomType,
  v: Verdict,
  working: readonly QualityPath[],
  entries: readonly QualityResult[],
  rates: QualityRates,
  baseline: number | null,
): void {
  if (!isQualityPath(v.path) || entries.length === 0) return;
  const own = pathQuality(v.path, entries, rates, baseline);
  if (own) {
    v.quality = own.quality;
    const inferred = v.confidence === 'inferred' ? ' (path inferred, not measured directly)' : '';
    const latency =
      v.path === 'direct-udp' || v.path === 'direct-tcp'
        ? ''
        : ` ${capital(addedLatencyText(v.path, own.quality.addedLatencyMs))}.`;
    v.summary = `${qualitySentence(room, v.path, own.quality, own.entry)}${inferred}.${latency}`;
    if (own.note) v.notes.push(own.note);
  }
  const fallback = fallbackOf(v.path, working);
  const fb = fallback && pathQuality(fallback, entries, rates, baseline);
  if (fallback && fb)
    v.notes.push(`If ${pathLabel(v.path)} fails: ${qualitySentence(room, fallback, fb.quality, fb.entry)}.`);
}

/** A finding for each path the engine and the page measured differently. */
export function qualityFindings(entries: readonly QualityResult[]): QualityFinding[] {
  const out: QualityFinding[] = [];
  for (const e of entries.filter((q) => q.sensor === 'engine')) {
    for (const w of entries.filter((q) => q.sensor === 'webrtc' && q.path === e.path)) {
      const f = sensorDisagreement(e, w);
      if (f) out.push(f);
    }
  }
  return out;
}

export function profileRates(profile: Profile): QualityRates {
  return qualityRates(profile.quality);
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
