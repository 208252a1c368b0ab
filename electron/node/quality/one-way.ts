/**
 * One direction of the engine's TURN stream (./turn-stream.ts): paced sending through one
 * allocation's channel, judged window by window by the ramp (./ramp.ts), and the wait for the
 * direction's stragglers before the other starts.
 */
import { performance } from 'node:perf_hooks';
import type { TransportAddress } from '../stun/address';
import type { ProbeScope, StunChannel } from '../stun/transport';
import type { TurnSession } from '../stun/turn';
import type { StunEndpoint } from '../stun/types';
import type { PacketRecord, RampController } from './ramp';

/** Kept back from the stream so both allocations can still be released. */
export const RELEASE_RESERVE_MS = 250;
export const TICK_MS = 5;
const CATCH_UP_MS = 50;
/** Longest wait for a direction's backlog to drain before the other direction starts. */
const SETTLE_MAX_MS = 600;

/** One allocation of the pair: its channel, session and relayed address. */
export interface Leg {
  ch: StunChannel;
  session: TurnSession;
  relayed: TransportAddress;
  pending: number;
}

/** A stream or ping packet that came back, when, and how many bytes the link carried for it. */
export interface Arrival {
  dir: number;
  kind: number;
  window: number;
  seq: number;
  sentAt: number;
  at: number;
  bytes: number;
}

export const sleep = (scope: ProbeScope, ms: number): Promise<void> =>
  scope.race(new Promise<void>((r) => setTimeout(r, ms)));

/** Bytes a link carries for one ChannelData message: the message plus UDP/IP (or TCP/IP) headers. */
export function wireBytes(transport: StunEndpoint['transport'], payload: number): number {
  const cd = 4 + payload;
  return transport === 'udp' ? cd + 28 : 4 * Math.ceil(cd / 4) + 40;
}

export interface StreamContext {
  budget: number;
  lagMs: number;
  payloadBytes: number;
  packet: (dir: number, kind: number, window: number, seq: number, size: number) => Uint8Array;
  send: (leg: Leg, bytes: Uint8Array) => boolean;
  arrivals: Arrival[];
  transport: StunEndpoint['transport'];
  samples: [number, number][];
  streamStart: number;
}

/**
 * One direction: paced by a token bucket refilled every tick at the window's rate; each window is
 * judged once its span shifted by the one-way transit has passed (so packets still in flight at the
 * window's end count for it), then the controller sets the next rate or stops.
 */
export async function streamOneWay(
  scope: ProbeScope,
  dir: number,
  leg: Leg,
  ramp: RampController,
  c: StreamContext,
): Promise<PacketRecord[]> {
  const packets: PacketRecord[] = [];
  const bySeq = new Map<number, PacketRecord>();
  const wire = wireBytes(c.transport, c.payloadBytes);
  const start = performance.now();
  const W = ramp.windowMs;
  const offered: number[] = [];
  let credit = 0;
  let last = start;
  let seq = 0;
  let judged = 0;
  const endBy = start + Math.max(0, c.budget);
  let consumed = 0;
  let sentBytes = 0;
  let arrivedBytes = 0;
  let arrivedCount = 0;
  const consume = (): void => {
    for (; consumed < c.arrivals.length; consumed++) {
      const x = c.arrivals[consumed]!;
      if (x.dir !== dir || x.kind !== 0) continue;
      const p = bySeq.get(x.seq);
      if (p && p.arrivedAt === null) {
        p.arrivedAt = x.at;
        arrivedBytes += p.bytes;
        arrivedCount++;
      }
    }
  };
  scope.phase = dir === 0 ? 'stream-a-to-b' : 'stream-b-to-a';
  while (ramp.stop === undefined) {
    const now = performance.now();
    if (now >= endBy) break;
    const window = Math.floor((now - start) / W);
    // refill at the current rate; a late timer (busy machine) is caught up, but never more than
    // CATCH_UP_MS worth at once, so a long stall does not turn into a burst
    const perMs = (ramp.rateKbps * 1000) / 8 / 1000;
    credit = Math.min(credit + perMs * (now - last), perMs * CATCH_UP_MS + wire);
    last = now;
    consume();
    // TCP/TLS never drops: offered beyond what the path carries would pile up in socket buffers and
    // queues (seconds of it), so at most about one round trip plus 100 ms of data is in flight
    const inFlightCap = Math.max(16 * 1024, perMs * (c.lagMs + 100));
    while (credit >= wire) {
      credit -= wire;
      offered[window] = (offered[window] ?? 0) + wire;
      if (c.transport !== 'udp' && sentBytes - arrivedBytes + wire > inFlightCap) continue;
      const bytes = c.packet(dir, 0, window, seq, c.payloadBytes);
      const rec: PacketRecord = { seq, window, sentAt: performance.now(), bytes: wire, arrivedAt: null };
      if (c.send(leg, bytes)) {
        packets.push(rec);
        bySeq.set(seq, rec);
        sentBytes += wire;
      }
      seq++;
    }
    // judge every window whose shifted span has ended
    while (judged < window && now >= start + (judged + 1) * W + c.lagMs) {
      const ws = start + judged * W + c.lagMs;
      let delivered = 0;
      for (const x of c.arrivals)
        if (x.dir === dir && x.kind === 0 && x.at >= ws && x.at < ws + W) delivered += x.bytes;
      const w = ramp.evaluate(start - c.streamStart + judged * W, offered[judged] ?? 0, delivered);
      c.samples.push([Math.round(w.startMs + W), Math.round(w.deliveredKbps)]);
      judged++;
      if (ramp.stop !== undefined) break;
    }
    await sleep(scope, TICK_MS);
  }
  // stragglers and our own backlog (on a full path, what waits in its queues): wait until this
  // direction's arrivals stop (a stream transport: until everything sent has arrived), bounded, so
  // the next direction does not queue behind this one
  const settleEnd =
    performance.now() + Math.max(0, Math.min(SETTLE_MAX_MS, scope.remainingMs() - RELEASE_RESERVE_MS - 100));
  let count = -1;
  let quietSince = performance.now();
  while (performance.now() < settleEnd) {
    await sleep(scope, TICK_MS);
    consume();
    if (c.transport !== 'udp' && arrivedBytes >= sentBytes) break;
    if (arrivedCount !== count) {
      count = arrivedCount;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > 2 * c.lagMs + 30) break;
  }
  // only windows that were judged count; packets of the unjudged tail are left out of loss
  return packets.filter((p) => p.window < judged);
}
