/**
 * The engine's quality measurement of direct UDP towards a reflector (a STUN server).
 *
 * What it can measure: a STUN server only answers Binding requests, one response per request, so
 * this is a round-trip echo at an audio-like packet rate (default 50 a second, like 20 ms audio
 * frames) with request-sized packets (~48 bytes on the wire). From it: the round trip, its jitter
 * (RFC 3550's estimator over successive round trips), and the share of requests never answered.
 *
 * What it cannot measure: throughput. The packets are tiny and a STUN server will not echo a
 * video-sized stream, so the rates in the entry are what the echo carried, `bandwidthMeasured` is
 * false and the grade leaves bandwidth out; `supports` is then at most `audio`. The app's in-page
 * call (host/srflx) is what measures video on a direct path. Loss is of the round trip (request or
 * answer lost), given as one leg's loss assuming both lose alike.
 */
import { performance } from 'node:perf_hooks';
import { buildRequest, describeEndpoint, openChannel } from '../stun/client';
import { StunClass, StunMethod } from '../stun/constants';
import { formatAddress } from '../stun/address';
import { ProbeScope, probeErrorFrom } from '../stun/transport';
import type { ProbeOptions, StunEndpoint } from '../stun/types';
import { judge } from '#common/quality/grade';
import { qualityId, qualityRates, type QualityRates, type QualityResult } from '#common/quality/schema';
import { median, oneLegLossPct, round1, round2 } from './ramp';
import type { QualityMeasurement } from './turn-stream';

export interface StunEchoOptions extends Omit<ProbeOptions, 'proxy' | 'tls'> {
  /** How long to send, ms (default 1000). */
  durationMs?: number;
  /** Requests a second (default 50, at most 100). */
  packetRate?: number;
  rates?: Partial<QualityRates>;
  hostLabel?: string;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const UDP_IP_HEADER = 28;

/** Round trip, jitter and loss of direct UDP to a STUN server. UDP endpoints only. Never throws. */
export async function measureStunEcho(endpoint: StunEndpoint, opts: StunEchoOptions = {}): Promise<QualityMeasurement> {
  const rates = qualityRates(opts.rates);
  const durationMs = Math.max(100, Math.min(3000, opts.durationMs ?? 1000));
  const packetRate = Math.max(1, Math.min(100, opts.packetRate ?? 50));
  const scope = new ProbeScope(opts.deadlineMs ?? durationMs + 1000, opts.signal);
  const what = describeEndpoint(endpoint);
  const host = opts.hostLabel ?? endpoint.host;
  const evidence: Record<string, unknown> = {
    server: formatAddress({ address: endpoint.host, port: endpoint.port }),
    packetRate,
  };
  if (endpoint.transport !== 'udp') {
    scope.dispose();
    return { reason: 'unsupported', detail: 'The STUN echo measures direct UDP only.', evidence };
  }
  const t0 = performance.now();
  try {
    const ch = await openChannel(scope, endpoint, { ...opts, connectUdp: true });
    const sent = new Map<string, { i: number; at: number; bytes: number }>();
    const rtt: (number | null)[] = [];
    const unsubscribe = ch.subscribe((m) => {
      if (m.kind !== 'stun' || m.msg.method !== StunMethod.Binding || m.msg.cls !== StunClass.successResponse) return;
      const s = sent.get(hex(m.msg.transactionId));
      if (s && rtt[s.i] === null) rtt[s.i] = performance.now() - s.at;
    });
    let wireBytes = 0;
    try {
      scope.phase = 'echo';
      const start = performance.now();
      const count = Math.round((durationMs / 1000) * packetRate);
      for (let i = 0; i < count; i++) {
        const due = start + (i * 1000) / packetRate;
        const wait = due - performance.now();
        if (wait > 0) await scope.race(new Promise<void>((r) => setTimeout(r, wait)));
        const req = buildRequest(StunMethod.Binding, () => [], opts.software);
        wireBytes = req.bytes.length + UDP_IP_HEADER;
        rtt.push(null);
        sent.set(hex(req.tid), { i, at: performance.now(), bytes: wireBytes });
        ch.send(req.bytes).catch(() => {}); // a refused send shows up as an unanswered request
      }
      // stragglers: a few round trips, bounded
      const seen = rtt.filter((x): x is number => x !== null);
      const grace = Math.min(500, Math.max(100, 3 * (median(seen) ?? 100)));
      const until = performance.now() + grace;
      while (rtt.some((x) => x === null) && performance.now() < until)
        await scope.race(new Promise<void>((r) => setTimeout(r, 10)));
    } finally {
      unsubscribe();
    }
    const answered = rtt.filter((x): x is number => x !== null);
    evidence.sent = rtt.length;
    evidence.answered = answered.length;
    if (answered.length === 0) {
      return { reason: 'no-answer', detail: `${what} answered none of ${rtt.length} Binding requests.`, evidence };
    }
    // RFC 3550 §6.4.1 estimator over the round trips in send order (there is no one-way clock here)
    let jitter = 0;
    let prev: number | null = null;
    for (const r of rtt) {
      if (r === null) continue;
      if (prev !== null) jitter += (Math.abs(r - prev) - jitter) / 16;
      prev = r;
    }
    const roundLoss = ((rtt.length - answered.length) / rtt.length) * 100;
    const kbps = Math.round((answered.length * wireBytes * 8) / durationMs);
    const numbers = {
      upKbps: kbps,
      downKbps: kbps,
      rttMs: round1(median(answered)!),
      rttLoadedMs: null,
      jitterMs: round2(jitter),
      lossPct: round2(oneLegLossPct(roundLoss)),
      bandwidthMeasured: false,
    };
    const j = judge(numbers, rates);
    const quality: QualityResult = {
      id: qualityId('direct-udp', host, endpoint.port),
      path: 'direct-udp',
      sensor: 'engine',
      host,
      port: endpoint.port,
      durationMs: Math.round(performance.now() - t0),
      targetKbps: Math.round((packetRate * wireBytes * 8) / 1000),
      ...numbers,
      mos: j.mos,
      grade: j.grade,
      limitedBy: j.limitedBy,
      samples: [],
      method: 'stun-echo',
      stopped: 'time',
      notes: [
        `STUN echo: ${answered.length} of ${rtt.length} Binding requests answered; round trip and loss only, throughput not measured.`,
      ],
    };
    return {
      quality,
      reason: 'ok',
      detail: `${what} echoed ${answered.length} of ${rtt.length} requests: round trip ${numbers.rttMs} ms, jitter ${numbers.jitterMs} ms, loss ${numbers.lossPct} % (throughput is not measured by a STUN echo).`,
      evidence,
    };
  } catch (e) {
    const err = probeErrorFrom(e, scope.phase);
    return {
      reason: err.reason,
      detail:
        err.reason === 'aborted'
          ? 'The quality measurement was cancelled.'
          : `Direct UDP quality towards ${what} could not be measured: ${err.message}.`,
      evidence: { ...evidence, phase: err.phase, error: err.message },
    };
  } finally {
    scope.dispose();
  }
}
