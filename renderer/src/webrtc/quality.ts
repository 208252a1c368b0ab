import { callLoss, senderSettled, settledKbps, SETTLE_EXTRA_MS, type CallWindow } from '#common/quality/call-windows';
import { judge } from '#common/quality/grade';
import {
  qualityId,
  qualityRates,
  type QualityPath,
  type QualityRates,
  type QualityResult,
} from '#common/quality/schema';
import { closeAll, connectPeers, deadline, negotiate, until, type PeerFactory } from './peer';
import { makeMedia } from './test-media';

/**
 * The page's call-quality measurement: a short real call between two peers of this page over one
 * path only, with the browser's own encoder, congestion control and jitter buffer.
 *
 * - Path: TURN rungs use `iceTransportPolicy: 'relay'` with one server (the relay.ts pattern); direct
 *   paths exchange host and srflx candidates only.
 * - Media: a canvas `captureStream` video track (noise, so the encoder cannot compress it below the
 *   target) capped at `targetKbps` with `RTCRtpSender.setParameters` `maxBitrate`, plus an
 *   oscillator through WebAudio's MediaStreamDestination.
 * - One direction at a time (a → b, then b → a): both peers are on this computer, so a stream crosses
 *   the link twice (up to the relay, back down); both directions at once would halve what each sees.
 * - From getStats(), every `sampleMs`: the received rate (payload + RTP headers + SRTP tag + UDP/IP
 *   and ChannelData headers, the bytes a link carries), packets lost, jitter, frames per second;
 *   the sender's `qualityLimitationReason` and the selected pair's `availableOutgoingBitrate` and
 *   `currentRoundTripTime`. The pair's round trip goes a → relay → b and back, which crosses the link
 *   twice as often as a call to a remote peer does: half of it is the round trip to the server, the
 *   engine's `rttMs` for the same path.
 * - Loss: from the moment the browser's sender settled, offering no more than the path carries
 *   (common/quality/call-windows.ts): its own overshoot while it starts up is set apart, as the
 *   engine sets apart its windows above capacity; the whole call's loss is in the notes, and a call
 *   that never settled says so (`settled: false`).
 *
 * Every peer, track, timer and the AudioContext are released on every path.
 */

export interface CallQualityOptions {
  path: QualityPath;
  host: string;
  port: number;
  /** For TURN: exactly one server with credentials; for direct: the STUN server (or none). */
  iceServers: RTCIceServer[];
  targetKbps?: number;
  rates?: Partial<QualityRates>;
  /** Media time per direction, ms (default 2000). */
  directionMs?: number;
  connectDeadlineMs?: number;
  sampleMs?: number;
  signal?: AbortSignal;
  createPeer?: PeerFactory;
}

export interface CallQualityMeasurement {
  quality?: QualityResult;
  reason: string;
  detail: string;
  evidence: Record<string, unknown>;
}

type Stat = Record<string, unknown> & { type: string; id: string };

async function stats(pc: RTCPeerConnection): Promise<Stat[]> {
  const out: Stat[] = [];
  (await pc.getStats()).forEach((s: Stat) => out.push(s));
  return out;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

interface Totals {
  bytes: number;
  payload: number;
  packets: number;
  lost: number;
  jitterMs: number | null;
  fps: number | null;
  /** When the stats were taken, ms (their own timestamp: a late getStats must not stretch a window). */
  at: number;
}

/**
 * The stats' own time, ms since the epoch (as the statistics define `timestamp`), else now on the
 * same clock. Taken from the whole report, so a stream that does not exist yet reads the same time.
 */
const statsTime = (xs: Stat[]): number => {
  const ts = xs.map((x) => x.timestamp).filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  return ts.length ? Math.max(...ts) : performance.timeOrigin + performance.now();
};

/** What one peer received so far, all inbound RTP streams together (video + audio). */
function received(s: Stat[]): Totals {
  const inbound = s.filter((x) => x.type === 'inbound-rtp');
  const video = inbound.find((x) => x.kind === 'video');
  const audio = inbound.find((x) => x.kind === 'audio');
  return {
    bytes: inbound.reduce((t, x) => t + num(x.bytesReceived) + num(x.headerBytesReceived), 0),
    payload: inbound.reduce((t, x) => t + num(x.bytesReceived), 0),
    packets: inbound.reduce((t, x) => t + num(x.packetsReceived), 0),
    lost: inbound.reduce((t, x) => t + Math.max(0, num(x.packetsLost)), 0),
    // audio's jitter: its packets leave every 20 ms, while video's leave in bursts per frame
    jitterMs:
      typeof audio?.jitter === 'number'
        ? audio.jitter * 1000
        : video && typeof video.jitter === 'number'
          ? video.jitter * 1000
          : null,
    fps: video && typeof video.framesPerSecond === 'number' ? video.framesPerSecond : null,
    at: statsTime(s),
  };
}

/**
 * Media payload one peer sent so far, all outbound RTP streams, retransmissions included (the
 * receiver counts the packets they recover), or null without stats. Headers are left out: they
 * hold the congestion control's padding probes, which the receiver does not count.
 */
function sentPayload(s: Stat[]): { bytes: number; at: number } | null {
  const outbound = s.filter((x) => x.type === 'outbound-rtp');
  if (outbound.length === 0) return null;
  return { bytes: outbound.reduce((t, x) => t + num(x.bytesSent), 0), at: statsTime(s) };
}

function pair(s: Stat[]): {
  rttMs: number | null;
  availableKbps: number | null;
  local: string | null;
  remote: string | null;
  relayProtocol: string | null;
} {
  const byId = new Map(s.map((x) => [x.id, x]));
  const t = s.find((x) => x.type === 'transport' && x.selectedCandidatePairId);
  const p = t
    ? byId.get(String(t.selectedCandidatePairId))
    : s.find((x) => x.type === 'candidate-pair' && x.state === 'succeeded' && x.nominated);
  const local = p ? byId.get(String(p.localCandidateId)) : undefined;
  const remote = p ? byId.get(String(p.remoteCandidateId)) : undefined;
  return {
    rttMs: typeof p?.currentRoundTripTime === 'number' ? p.currentRoundTripTime * 1000 : null,
    availableKbps: typeof p?.availableOutgoingBitrate === 'number' ? p.availableOutgoingBitrate / 1000 : null,
    local: (local?.candidateType as string | undefined) ?? null,
    remote: (remote?.candidateType as string | undefined) ?? null,
    relayProtocol: (local?.relayProtocol as string | undefined) ?? null,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const OVERHEAD_BYTES = { udp: 28, srtp: 10, channelData: 4 };

interface OneWay {
  kbps: number;
  /** Loss over both legs (common/quality/call-windows.ts: not counting the windows over capacity). */
  loss: ReturnType<typeof callLoss>;
  jitterMs: number | null;
  idleRttMs: number | null;
  loadedRttMs: number | null;
  availableKbps: number | null;
  fps: number | null;
  qualityLimitationReason: string[];
  packets: number;
  windows: CallWindow[];
  pair: { local: string | null; remote: string | null; relayProtocol: string | null };
}

/**
 * One direction: a fresh pair of peers, the offerer sends (video capped at the target minus the
 * audio, plus audio), the answerer only receives. Samples the receiver's rate every `sampleMs`.
 */
async function oneWay(
  o: CallQualityOptions,
  media: ReturnType<typeof makeMedia>,
  target: number,
  t0: number,
  samples: [number, number][],
  signal: AbortSignal,
): Promise<OneWay | { fail: string; detail: string }> {
  const relay = o.path.startsWith('turn-');
  const createPeer = o.createPeer ?? ((c: RTCConfiguration) => new RTCPeerConnection(c));
  const config: RTCConfiguration = {
    iceServers: o.iceServers,
    iceTransportPolicy: relay ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    iceCandidatePoolSize: 0,
  };
  const pcs: RTCPeerConnection[] = [];
  try {
    const a = createPeer(config);
    pcs.push(a);
    const b = createPeer(config);
    pcs.push(b);
    const video = a.addTransceiver(media.video.clone(), { direction: 'sendonly' }).sender;
    if (media.audio) a.addTransceiver(media.audio.clone(), { direction: 'sendonly' });
    const link = connectPeers(a, b, (c) => (relay ? c.type === 'relay' : c.type === 'host' || c.type === 'srflx'));
    await negotiate(a, b, link);
    const connectLimit = deadline(signal, o.connectDeadlineMs ?? 5000);
    const connected = await until(
      a,
      ['connectionstatechange'],
      () => a.connectionState === 'connected',
      connectLimit.signal,
    );
    connectLimit.dispose();
    if (!connected) {
      const fail =
        signal.aborted && o.signal?.aborted ? 'aborted' : a.connectionState === 'failed' ? 'ice-failed' : 'timeout';
      return {
        fail,
        detail:
          fail === 'aborted'
            ? 'The call-quality test was cancelled.'
            : `The test call over ${o.path} (${o.host}:${o.port}) did not connect (${a.connectionState}).`,
      };
    }
    const idle = pair(await stats(a));
    const p = video.getParameters();
    if (p.encodings?.length) {
      p.encodings[0]!.maxBitrate = Math.round(Math.max(50, target - AUDIO_KBPS) * 1000);
      await video.setParameters(p);
    }
    const overhead = OVERHEAD_BYTES.udp + OVERHEAD_BYTES.srtp + (relay ? OVERHEAD_BYTES.channelData : 0);
    const directionMs = Math.min(5000, Math.max(500, o.directionMs ?? 2000));
    const start = performance.now();
    const first = received(await stats(b));
    let prev = first;
    let sentPrev = sentPayload(await stats(a));
    const windows: CallWindow[] = [];
    const rtts: number[] = [];
    let available: number | null = null;
    let fps: number | null = null;
    const limits = new Set<string>();
    // a drop is counted lost when a later packet arrives: up to a round trip of the pair later (it crosses the queues twice)
    const sampleMs = o.sampleMs ?? 250;
    const lag = () => (rtts.length ? Math.ceil(Math.max(...rtts) / sampleMs) : 1);
    // the planned time, then on (bounded) until the browser's sender offers no more than the path carries
    const more = () =>
      performance.now() - start < directionMs ||
      (performance.now() - start < directionMs + SETTLE_EXTRA_MS && !senderSettled(windows, lag()));
    while (more() && !signal.aborted) {
      await sleep(sampleMs, signal);
      const cur = received(await stats(b));
      const ms = cur.at - prev.at;
      if (ms <= 0) continue; // the stats did not move on (cached): sample again
      const kbps = ((cur.bytes - prev.bytes + (cur.packets - prev.packets) * overhead) * 8) / ms;
      samples.push([Math.round(performance.now() - t0), Math.round(kbps)]);
      const fs = await stats(a);
      const sentNow = sentPayload(fs);
      windows.push({
        kbps,
        payloadKbps: ((cur.payload - prev.payload) * 8) / ms,
        sentKbps:
          sentNow !== null && sentPrev !== null && sentNow.at > sentPrev.at
            ? ((sentNow.bytes - sentPrev.bytes) * 8) / (sentNow.at - sentPrev.at)
            : null,
        packets: cur.packets - prev.packets,
        lost: Math.max(0, cur.lost - prev.lost),
        ms,
      });
      sentPrev = sentNow;
      const sp = pair(fs);
      if (sp.rttMs !== null) rtts.push(sp.rttMs);
      if (sp.availableKbps !== null) available = Math.round(sp.availableKbps);
      const out = fs.find((x) => x.type === 'outbound-rtp' && x.kind === 'video');
      if (typeof out?.qualityLimitationReason === 'string' && out.qualityLimitationReason !== 'none')
        limits.add(out.qualityLimitationReason);
      if (cur.fps !== null) fps = cur.fps;
      prev = cur;
    }
    const packets = prev.packets - first.packets;
    return {
      // the settled rate: bytes over time, the sender's own lulls (ramp-up, back-off) set apart
      kbps: settledKbps(windows),
      loss: callLoss(windows, lag()),
      jitterMs: prev.jitterMs,
      idleRttMs: idle.rttMs,
      loadedRttMs: rtts.length ? rtts[rtts.length - 1]! : null,
      availableKbps: available,
      fps,
      qualityLimitationReason: [...limits],
      packets,
      windows,
      pair: { local: idle.local, remote: idle.remote, relayProtocol: idle.relayProtocol },
    };
  } finally {
    closeAll(pcs);
  }
}

const AUDIO_KBPS = 64;

/** One leg's loss, percent (2 decimals), from the loss of both legs (a stream crosses the link twice). */
const oneLeg = (roundPct: number): number => Math.round((1 - Math.sqrt(1 - Math.min(1, roundPct / 100))) * 10000) / 100;

/** Runs the call and returns the page's quality entry (`sensor: "webrtc"`). Never throws. */
export async function measureCallQuality(o: CallQualityOptions): Promise<CallQualityMeasurement> {
  const rates = qualityRates(o.rates);
  const target = o.targetKbps ?? rates.hdVideoKbps;
  const directionMs = Math.min(5000, Math.max(500, o.directionMs ?? 2000));
  const t0 = performance.now();
  const evidence: Record<string, unknown> = { targetKbps: target, directionMs };
  const limit = deadline(o.signal, 2 * ((o.connectDeadlineMs ?? 5000) + directionMs + SETTLE_EXTRA_MS) + 2000);
  let media: ReturnType<typeof makeMedia> | null = null;
  try {
    media = makeMedia();
    const samples: [number, number][] = [];
    const up = await oneWay(o, media, target, t0, samples, limit.signal);
    if ('fail' in up) return { reason: up.fail, detail: up.detail, evidence };
    const down = await oneWay(o, media, target, t0, samples, limit.signal);
    if ('fail' in down) return { reason: down.fail, detail: down.detail, evidence: { ...evidence, up } };
    evidence.up = up;
    evidence.down = down;
    evidence.pair = up.pair;
    if (o.signal?.aborted) return { reason: 'aborted', detail: 'The call-quality test was cancelled.', evidence };
    if (up.packets === 0 && down.packets === 0) {
      return {
        reason: 'no-media',
        detail: `The test call over ${o.path} (${o.host}:${o.port}) connected, but no media arrived.`,
        evidence,
      };
    }
    const roundLoss = Math.max(up.loss.roundLossPct, down.loss.roundLossPct);
    const overCapacity = up.loss.overCapacity + down.loss.overCapacity;
    const allLoss = oneLeg(Math.max(up.loss.allRoundLossPct, down.loss.allRoundLossPct));
    const settled = up.loss.settled && down.loss.settled;
    const lossPct = oneLeg(roundLoss);
    const half = (ms: number | null) => (ms === null ? null : Math.round((ms / 2) * 10) / 10);
    const idle = [up.idleRttMs, down.idleRttMs].filter((x): x is number => x !== null);
    const loaded = [up.loadedRttMs, down.loadedRttMs].filter((x): x is number => x !== null);
    const jit = [up.jitterMs, down.jitterMs].filter((x): x is number => x !== null);
    const numbers = {
      upKbps: Math.round(up.kbps),
      downKbps: Math.round(down.kbps),
      rttMs: idle.length ? half(Math.min(...idle)) : null,
      rttLoadedMs: loaded.length ? half(Math.max(...loaded)) : null,
      jitterMs: jit.length ? Math.round(Math.max(...jit) * 100) / 100 : null,
      lossPct,
    };
    const j = judge(numbers, rates);
    const limitedByEncoder = [...new Set([...up.qualityLimitationReason, ...down.qualityLimitationReason])];
    const quality: QualityResult = {
      id: qualityId(o.path, o.host, o.port, 'webrtc'),
      path: o.path,
      sensor: 'webrtc',
      host: o.host,
      port: o.port,
      durationMs: Math.round(performance.now() - t0),
      targetKbps: target,
      ...numbers,
      mos: j.mos,
      grade: j.grade,
      limitedBy: j.limitedBy,
      samples: samples.slice(0, 64),
      method: 'webrtc-call',
      bandwidthMeasured: true,
      stopped: 'time',
      ...(settled ? {} : { settled: false }),
      notes: [
        `A call between two peers of this page (${up.pair.local ?? '?'} → ${up.pair.remote ?? '?'}), one direction at a time; round trips are half the pair's (it crosses the link twice).`,
        ...(settled
          ? []
          : [
              `The browser's call did not settle: its congestion control kept sending more than the path carries until the end (${Math.round((directionMs + SETTLE_EXTRA_MS) / 1000)} s a direction at most), so its loss (${lossPct} %) is a call's start-up, not a settled call; the verdict relies on the engine's measurement of this path where there is one.`,
            ]),
        ...(overCapacity > 0
          ? [
              `Loss counted over the moments the browser sent no more than the path carries: ${allLoss} % over the whole call, while its congestion control probed above the path's rate (${overCapacity} of ${up.windows.length + down.windows.length} sample windows set apart; a settled call does not keep that up).`,
            ]
          : []),
        ...(limitedByEncoder.length ? [`The browser's encoder was limited by: ${limitedByEncoder.join(', ')}.`] : []),
      ],
    };
    return {
      quality,
      reason: 'ok',
      detail: `A test call over ${o.path} (${o.host}:${o.port}) carried ${numbers.upKbps} kbit/s one way and ${numbers.downKbps} kbit/s the other (target ${target}), loss ${lossPct} %, jitter ${numbers.jitterMs ?? '?'} ms (${j.grade}).`,
      evidence,
    };
  } catch (e) {
    return {
      reason: 'webrtc-error',
      detail: `The browser could not run the test call over ${o.path}: ${(e as Error)?.message ?? String(e)}`,
      evidence,
    };
  } finally {
    limit.dispose();
    media?.stop();
  }
}
