/**
 * Pure arithmetic of the WebRTC suite's data-channel stream: round-trip times from echoes, one-way
 * jitter (RFC 3550 §6.4.1 interarrival jitter: J += (|D| − J) / 16) and loss, and a quality grade
 * with a MOS from the E-model (ITU-T G.107) in the simplified form WebRTC client SDKs such as
 * Twilio's use: R from the effective latency (RTT + 2·jitter + 10 ms) and the loss, then
 * MOS = 1 + 0.035·R + 7·10⁻⁶·R·(R − 60)·(100 − R) — see mos() below.
 */

export interface StreamSample {
  seq: number;
  /** When the sender sent it (performance.now(), same clock for both peers: they share this page). */
  sentAt: number;
  /** When the far peer received it, or null if it never arrived. */
  arrivedAt: number | null;
  /** When the echo came back to the sender, or null. */
  echoedAt: number | null;
}

export interface StreamStats {
  sent: number;
  received: number;
  echoed: number;
  /** One-way loss towards the far peer, percent. */
  lossPct: number;
  /** Loss of the round trip (packet or its echo lost), percent. */
  roundTripLossPct: number;
  /** RFC 3550 interarrival jitter of the one-way transit, ms; null with fewer than two arrivals. */
  jitterMs: number | null;
  rttMs: { min: number; median: number; p95: number; max: number } | null;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export function streamStats(samples: readonly StreamSample[]): StreamStats {
  const sent = samples.length;
  const arrived = samples.filter((s) => s.arrivedAt !== null).sort((a, b) => a.arrivedAt! - b.arrivedAt!);
  const echoed = samples.filter((s) => s.echoedAt !== null);
  // Jitter over packets in arrival order, as a receiver sees them (RFC 3550 §6.4.1).
  let jitter = 0;
  let prevTransit: number | null = null;
  for (const s of arrived) {
    const transit = s.arrivedAt! - s.sentAt;
    if (prevTransit !== null) jitter += (Math.abs(transit - prevTransit) - jitter) / 16;
    prevTransit = transit;
  }
  const rtts = echoed.map((s) => s.echoedAt! - s.sentAt).sort((a, b) => a - b);
  return {
    sent,
    received: arrived.length,
    echoed: echoed.length,
    lossPct: sent ? round(((sent - arrived.length) / sent) * 100, 2) : 0,
    roundTripLossPct: sent ? round(((sent - echoed.length) / sent) * 100, 2) : 0,
    jitterMs: arrived.length >= 2 ? round(jitter, 2) : null,
    rttMs: rtts.length
      ? {
          min: round(rtts[0]!),
          median: round(percentile(rtts, 50)),
          p95: round(percentile(rtts, 95)),
          max: round(rtts[rtts.length - 1]!),
        }
      : null,
  };
}

export type Grade = 'excellent' | 'good' | 'fair' | 'poor';

/** Twilio video-diagnostics thresholds: RTT < 100 / 250 / 400 ms, loss < 1 / 3 / 8 %, jitter < 5 / 10 / 30 ms. */
export function grade(rttMs: number, lossPct: number, jitterMs: number): Grade {
  const level = (v: number, limits: [number, number, number]) =>
    v < limits[0] ? 0 : v < limits[1] ? 1 : v < limits[2] ? 2 : 3;
  const worst = Math.max(level(rttMs, [100, 250, 400]), level(lossPct, [1, 3, 8]), level(jitterMs, [5, 10, 30]));
  return (['excellent', 'good', 'fair', 'poor'] as const)[worst]!;
}

/** E-model MOS from RTT, jitter and loss (as in Twilio's SDKs), 1..4.5. */
export function mos(rttMs: number, jitterMs: number, lossPct: number): number {
  const el = rttMs + 2 * jitterMs + 10;
  let r = el < 160 ? 94.768 - el / 40 : el < 1000 ? 94.768 - (el - 120) / 10 : 0;
  r = lossPct <= r / 2.5 ? Math.max(r - 2.5 * lossPct, 6.52) : 0;
  return round(1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r), 2);
}
