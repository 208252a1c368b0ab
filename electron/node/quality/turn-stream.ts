/**
 * The engine's call-quality measurement of a TURN relay (what the CLI and the lab use).
 *
 * Two allocations on the same server over the same transport, A and B, both from this computer.
 * Each binds a channel (RFC 8656 §12) to the other's relayed address, so data goes
 *   A → (UDP/TCP/TLS) → A's relay → (UDP, inside the server) → B's relay → (UDP/TCP/TLS) → B
 * as ChannelData, padded to 4 bytes on TCP/TLS (§12.5). One direction at a time, A→B then B→A: a
 * stream crosses this computer's link twice (up, then back down), so running both at once would
 * halve what each sees on a link that is as fast up as down.
 *
 * What it measures, per direction: the delivered rate while ramping up to the target (paced, never
 * above it, see ramp.ts), loss (the two legs together, converted to one leg's), RFC 3550 jitter of the
 * one-way transit (both ends share this process's clock), and the transit itself, which is one round
 * trip to the server through the relay: idle (small packets before the stream) and under load
 * (the last two windows). Rates count what a link carries: ChannelData plus UDP/IP headers.
 *
 * Bounded: one deadline (default 3 s) for everything, allocations and release included; payloads of
 * `payloadBytes`; both allocations released (Refresh LIFETIME=0) on every path that still can.
 * Aborting the signal closes every socket at once.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { encodeChannelData } from '../stun/codec';
import { attr } from '../stun/attributes';
import { StunClass, StunMethod } from '../stun/constants';
import { describeEndpoint, openChannel } from '../stun/client';
import { formatAddress } from '../stun/address';
import { ProbeScope, probeErrorFrom } from '../stun/transport';
import { allocate, TurnSession, type TurnCredentials } from '../stun/turn';
import type { ProbeOptions, StunEndpoint } from '../stun/types';
import { judge } from '#common/quality/grade';
import {
  qualityId,
  qualityRates,
  type QualityPath,
  type QualityRates,
  type QualityResult,
} from '#common/quality/schema';
import { RELEASE_RESERVE_MS, sleep, streamOneWay, TICK_MS, wireBytes, type Arrival, type Leg } from './one-way';
import {
  deliveredRateKbps,
  interarrivalJitter,
  median,
  oneLegLossPct,
  RampController,
  round1,
  round2,
  type PacketRecord,
} from './ramp';

export interface TurnQualityOptions extends Omit<ProbeOptions, 'proxy'> {
  /** Rate to ramp up to, kbit/s; default the HD video rate. */
  targetKbps?: number;
  /** The profile's rates, for the grade; defaults 2500 / 1000 / 100. */
  rates?: Partial<QualityRates>;
  /** Payload of each stream packet, bytes (default 1000, like a video RTP packet). */
  payloadBytes?: number;
  /** Send-time window of the ramp, ms (default 250). */
  windowMs?: number;
  /** Name to use in the entry's id and host (default endpoint.host). */
  hostLabel?: string;
  /** Ask for relays of this family (RFC 8656 REQUESTED-ADDRESS-FAMILY), as an IPv6 client gets; default the server's choice. */
  relayFamily?: 4 | 6;
}

export interface QualityMeasurement {
  /** The report entry; absent when no stream could be set up (no allocation, no relay). */
  quality?: QualityResult;
  /** ok | target-met | plateau | time | auth-failed | turn-error | timeout | refused | … | aborted */
  reason: string;
  /** One plain sentence. */
  detail: string;
  evidence: Record<string, unknown>;
}

export const TURN_QUALITY_DEFAULT_DEADLINE_MS = 3000;
const CHANNEL = 0x4000; // RFC 8656 §12: 0x4000-0x4FFF; each allocation has its own channel space
const HEADER_BYTES = 24; // magic(4) run(4) dir(1) kind(1) window(2) seq(4) sentAt(8)
const MAGIC = 0x50435131; // "PCQ1"
const PING_COUNT = 5;
/** Never let more than this wait in a TCP/TLS socket's buffer; what would exceed it is offered, not sent. */
const MAX_PENDING_BYTES = 128 * 1024;

const PATH: Record<StunEndpoint['transport'], QualityPath> = { udp: 'turn-udp', tcp: 'turn-tcp', tls: 'turn-tls' };

/** Measures throughput, loss, jitter and RTT through one TURN server over one transport. Never throws. */
export async function measureTurnQuality(
  endpoint: StunEndpoint,
  creds: TurnCredentials,
  opts: TurnQualityOptions = {},
): Promise<QualityMeasurement> {
  const rates = qualityRates(opts.rates);
  const target = opts.targetKbps ?? rates.hdVideoKbps;
  const payloadBytes = Math.max(HEADER_BYTES, Math.min(1400, opts.payloadBytes ?? 1000));
  const deadlineMs = opts.deadlineMs ?? TURN_QUALITY_DEFAULT_DEADLINE_MS;
  const scope = new ProbeScope(deadlineMs, opts.signal);
  const what = describeEndpoint(endpoint);
  const host = opts.hostLabel ?? endpoint.host;
  const path = PATH[endpoint.transport];
  const evidence: Record<string, unknown> = {
    transport: endpoint.transport,
    server: formatAddress({ address: endpoint.host, port: endpoint.port }),
    targetKbps: target,
  };
  const legs: Leg[] = [];
  const t0 = performance.now();
  try {
    // ---- two allocations, each with a channel to the other's relayed address
    scope.phase = 'allocate';
    const opened = await Promise.all(
      [0, 1].map(async () => {
        const ch = await openChannel(scope, endpoint, opts);
        const session = new TurnSession(scope, ch, creds, opts.rtoMs, opts.software);
        const a = await allocate(scope, session, 60, opts.relayFamily);
        const relayed = a.final.msg.attrs.xorRelayedAddress?.[0];
        if (a.status !== 'allocated' || !relayed)
          return { status: a.status, code: a.final.msg.attrs.errorCode?.code, leg: undefined };
        const leg: Leg = { ch, session, relayed, pending: 0 };
        legs.push(leg);
        return { status: a.status, code: undefined, leg };
      }),
    );
    const failed = opened.find((o) => !o.leg);
    if (failed) {
      const reason =
        failed.status === 'auth-required' || failed.status === 'auth-failed' ? 'auth-failed' : failed.status;
      return {
        reason,
        detail: `${what} did not give two relays (${reason}${failed.code ? ` ${failed.code}` : ''}), so call quality could not be measured through it.`,
        evidence,
      };
    }
    const [a, b] = [opened[0]!.leg!, opened[1]!.leg!];
    evidence.relayed = [formatAddress(a.relayed), formatAddress(b.relayed)];
    scope.phase = 'channel-bind';
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = await from.session.request(StunMethod.ChannelBind, (tid) => [
        attr.channelNumber(CHANNEL),
        attr.xorPeerAddress(to.relayed, tid),
      ]);
      if (r.final.msg.cls !== StunClass.successResponse) {
        const code = r.final.msg.attrs.errorCode?.code;
        return {
          reason: code === 403 ? 'permission-denied' : 'turn-error',
          detail: `${what} refused to bind a channel between two of its relays (error ${code ?? '?'}), so call quality could not be measured through it.`,
          evidence,
        };
      }
    }

    // ---- listen on both ends
    const run = randomBytes(4).readUInt32BE(0);
    const arrivals: Arrival[] = [];
    const unsubscribe = [a, b].map((leg, dirInto) =>
      leg.ch.subscribe((m) => {
        if (m.kind !== 'channel-data' || m.channel !== CHANNEL || m.data.length < HEADER_BYTES) return;
        const d = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
        if (d.readUInt32BE(0) !== MAGIC || d.readUInt32BE(4) !== run) return;
        const dir = d[8]!;
        if (dir !== 1 - dirInto) return; // dir 0 = A→B arrives at B (index 1)
        arrivals.push({
          dir,
          kind: d[9]!,
          window: d.readUInt16BE(10),
          seq: d.readUInt32BE(12),
          sentAt: d.readDoubleBE(16),
          at: performance.now(),
          bytes: wireBytes(endpoint.transport, m.data.length),
        });
      }),
    );
    try {
      const packet = (dir: number, kind: number, window: number, seq: number, size: number): Uint8Array => {
        const p = Buffer.alloc(size);
        p.writeUInt32BE(MAGIC, 0);
        p.writeUInt32BE(run, 4);
        p[8] = dir;
        p[9] = kind;
        p.writeUInt16BE(window & 0xffff, 10);
        p.writeUInt32BE(seq, 12);
        p.writeDoubleBE(performance.now(), 16);
        return encodeChannelData(CHANNEL, p, endpoint.transport !== 'udp');
      };
      const send = (leg: Leg, bytes: Uint8Array): boolean => {
        if (leg.pending + bytes.length > MAX_PENDING_BYTES) return false;
        leg.pending += bytes.length;
        leg.ch.send(bytes).then(
          () => (leg.pending -= bytes.length),
          (e: unknown) => leg.ch.fail(probeErrorFrom(e, 'send')),
        );
        return true;
      };

      // ---- idle round trip: a few small packets each way
      scope.phase = 'idle-rtt';
      const pings: { dir: number; seq: number; sentAt: number }[] = [];
      for (let i = 0; i < PING_COUNT; i++) {
        for (const dir of [0, 1]) {
          const p = packet(dir, 1, 0, i, 200);
          pings.push({ dir, seq: i, sentAt: performance.now() });
          send(dir === 0 ? a : b, p);
        }
        await sleep(scope, 10);
      }
      const pingsBack = (): Arrival[] => arrivals.filter((x) => x.kind === 1);
      const waitUntil = performance.now() + Math.min(1000, Math.max(200, scope.remainingMs() / 4));
      while (pingsBack().length < pings.length && performance.now() < waitUntil) {
        const got = pingsBack();
        const slowest = Math.max(0, ...got.map((x) => x.at - x.sentAt));
        if (got.length > 0 && performance.now() - pings[pings.length - 1]!.sentAt > Math.max(100, 4 * slowest)) break;
        await sleep(scope, TICK_MS);
      }
      const idle = pingsBack().map((x) => x.at - x.sentAt);
      evidence.pings = { sent: pings.length, received: idle.length };
      if (idle.length === 0) {
        return {
          reason: 'no-data',
          detail: `${what} gave two relays, but nothing sent from one reached the other.`,
          evidence,
        };
      }
      const idleRtt = median(idle)!;
      const lagMs = Math.min(150, idleRtt + 5);

      // ---- the paced stream, one direction at a time
      const samples: [number, number][] = [];
      const streamStart = performance.now();
      const dirs: { ramp: RampController; packets: PacketRecord[] }[] = [];
      for (const dir of [0, 1]) {
        // the first direction ramps; the second starts at the rate the first found, so it needs less time
        const budget =
          dir === 0 ? (scope.remainingMs() - RELEASE_RESERVE_MS) * 0.6 : scope.remainingMs() - RELEASE_RESERVE_MS;
        // just below what the first found (a full path must first show it is not lossy), or the target
        const first = dirs[0]?.ramp;
        const startKbps = first
          ? Math.min(target, Math.max(100, first.stop === 'target-met' ? target : first.deliveredKbps() * 0.9))
          : undefined;
        const ramp = new RampController({ targetKbps: target, startKbps, windowMs: opts.windowMs });
        const packets = await streamOneWay(scope, dir, dir === 0 ? a : b, ramp, {
          budget,
          lagMs,
          payloadBytes,
          packet,
          send,
          arrivals,
          transport: endpoint.transport,
          samples,
          streamStart,
        });
        dirs.push({ ramp, packets });
      }

      // ---- numbers. Loss, jitter and the loaded round trip come from windows the path carried
      // (not capacity-limited): in the others they measure the queue our own excess filled.
      const result = (i: number) => {
        const d = dirs[i];
        if (!d) return undefined;
        const carried = d.ramp.windows.filter((w) => !w.capacityLimited);
        const free = new Set(carried.map((w) => w.index));
        const pool = free.size ? d.packets.filter((p) => free.has(p.window)) : d.packets;
        const top = new Set((carried.length ? carried : d.ramp.windows).slice(-2).map((w) => w.index));
        const transit = (ws: Set<number>) =>
          median(d.packets.filter((p) => ws.has(p.window) && p.arrivedAt !== null).map((p) => p.arrivedAt! - p.sentAt));
        const full = new Set(d.ramp.windows.filter((w) => w.capacityLimited).map((w) => w.index));
        return {
          kbps: deliveredRateKbps(d.ramp, d.packets),
          pool,
          free: free.size > 0,
          jitter: interarrivalJitter(pool),
          loaded: transit(top),
          saturated: full.size ? transit(full) : null,
          stop: d.ramp.stop ?? 'time',
        };
      };
      const up = result(0)!;
      const down = result(1);
      // loss over both directions' carried windows (both cross the same two legs)
      const lossPackets = [up, down].filter((d) => d?.free).flatMap((d) => d!.pool);
      const lossPool = lossPackets.length ? lossPackets : [...up.pool, ...(down?.pool ?? [])];
      const roundLoss = lossPool.length
        ? ((lossPool.length - lossPool.filter((p) => p.arrivedAt !== null).length) / lossPool.length) * 100
        : 0;
      const lossPct = round2(oneLegLossPct(roundLoss));
      const saturated = [up.saturated, down?.saturated].filter((x): x is number => x !== null && x !== undefined);
      if (saturated.length) evidence.saturatedRttMs = round1(Math.max(...saturated));
      const jitters = [up.jitter, down?.jitter].filter((j): j is number => j !== null && j !== undefined);
      const loadedAll = [up.loaded, down?.loaded].filter((x): x is number => x !== null && x !== undefined);
      const numbers = {
        upKbps: Math.round(up.kbps),
        downKbps: Math.round(down?.kbps ?? 0),
        rttMs: round1(idleRtt),
        rttLoadedMs: loadedAll.length ? round1(Math.max(...loadedAll)) : null,
        jitterMs: jitters.length ? round2(Math.max(...jitters)) : null,
        lossPct,
      };
      const j = judge(numbers, rates);
      const stopped = down
        ? up.stop === 'time' || down.stop === 'time'
          ? 'time'
          : up.stop === 'plateau' || down.stop === 'plateau'
            ? 'plateau'
            : 'target-met'
        : 'time';
      const notes = [
        `Each direction crossed this computer's link twice (up to the relay and back); loss ${round2(roundLoss)} % over both legs is ${lossPct} % for one.`,
        ...(down ? [] : ['Out of time before the second direction: the rate towards this computer was not measured.']),
        ...(dirs.some((d) => d.ramp.windows.some((w) => w.senderBehind))
          ? [
              'This computer was too busy to send at the rate all the time (late timers); the rates may be lower than the path can carry.',
            ]
          : []),
      ];
      const quality: QualityResult = {
        id: qualityId(path, host, endpoint.port),
        path,
        sensor: 'engine',
        host,
        port: endpoint.port,
        durationMs: Math.round(performance.now() - t0),
        targetKbps: target,
        ...numbers,
        mos: j.mos,
        grade: j.grade,
        limitedBy: j.limitedBy,
        samples: samples.slice(0, 64),
        method: 'turn-stream',
        bandwidthMeasured: true,
        stopped,
        notes,
      };
      evidence.senderBehind = dirs.some((d) => d.ramp.windows.some((w) => w.senderBehind));
      evidence.windows = dirs.map((d) =>
        d.ramp.windows.map((w) => [
          Math.round(w.startMs),
          Math.round(w.rateKbps),
          Math.round(w.deliveredKbps),
          w.capacityLimited ? 2 : w.limited ? 1 : w.senderBehind ? 3 : 0,
        ]),
      );
      return {
        quality,
        reason: stopped,
        detail: `Through ${what}: ${numbers.upKbps} kbit/s one way, ${numbers.downKbps} kbit/s the other (target ${target}), loss ${lossPct} %, jitter ${numbers.jitterMs ?? '?'} ms, round trip ${numbers.rttMs} ms idle and ${numbers.rttLoadedMs ?? '?'} ms under load (${j.grade}).`,
        evidence,
      };
    } finally {
      for (const u of unsubscribe) u();
    }
  } catch (e) {
    const err = probeErrorFrom(e, scope.phase);
    evidence.phase = err.phase;
    evidence.error = err.message;
    const detail =
      err.reason === 'aborted'
        ? 'The quality measurement was cancelled.'
        : err.reason === 'timeout'
          ? `${what} did not answer in time (while ${err.phase ?? 'waiting'}), so call quality could not be measured.`
          : `Call quality through ${what} could not be measured: ${err.message}.`;
    return { reason: err.reason, detail, evidence };
  } finally {
    if (!scope.cancelled) await Promise.all(legs.map((l) => l.session.release()));
    scope.dispose();
  }
}
