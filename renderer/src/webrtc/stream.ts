import { streamStats, type StreamSample, type StreamStats } from './stats';

/**
 * A short media-like stream over an unordered, unreliable data channel (like RTP: no
 * retransmission), `rate` packets a second, each with a sequence number and its send time. The far
 * side notes the arrival and echoes the packet back. Both peers live in this page, so one clock
 * times both directions: one-way jitter and loss are exact, and RTT comes from the echoes.
 */
export const PACKET_BYTES = 160; // about one 20 ms Opus frame with headers

export async function runStream(
  sender: RTCDataChannel,
  receiver: Promise<RTCDataChannel>,
  opts: { durationMs: number; rate: number; signal: AbortSignal; drainMs?: number },
): Promise<StreamStats> {
  const samples: StreamSample[] = [];
  const far = await receiver;
  far.binaryType = 'arraybuffer';
  sender.binaryType = 'arraybuffer';
  far.onmessage = (e: MessageEvent<ArrayBuffer>) => {
    const seq = new DataView(e.data).getUint32(0);
    const s = samples[seq];
    if (s && s.arrivedAt === null) s.arrivedAt = performance.now();
    try {
      far.send(e.data);
    } catch {
      // closing
    }
  };
  sender.onmessage = (e: MessageEvent<ArrayBuffer>) => {
    const seq = new DataView(e.data).getUint32(0);
    const s = samples[seq];
    if (s && s.echoedAt === null) s.echoedAt = performance.now();
  };
  const total = Math.max(1, Math.round((opts.durationMs / 1000) * opts.rate));
  const interval = 1000 / opts.rate;
  const t0 = performance.now();
  for (let seq = 0; seq < total && !opts.signal.aborted; seq++) {
    const wait = t0 + seq * interval - performance.now();
    if (wait > 0) await sleep(wait, opts.signal);
    if (opts.signal.aborted || sender.readyState !== 'open') break;
    const buf = new ArrayBuffer(PACKET_BYTES);
    const sentAt = performance.now();
    new DataView(buf).setUint32(0, seq);
    new DataView(buf).setFloat64(4, sentAt);
    samples[seq] = { seq, sentAt, arrivedAt: null, echoedAt: null };
    try {
      sender.send(buf);
    } catch {
      break;
    }
  }
  // Let the last packets and echoes come in.
  await sleep(opts.drainMs ?? 400, opts.signal);
  sender.onmessage = null;
  far.onmessage = null;
  return streamStats(samples.filter(Boolean));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
