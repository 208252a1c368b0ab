import type { WebrtcServer } from '#common/ipc/diagnosis';
import type { Reason } from '#common/report/reason';
import type { CheckResult } from '#common/report/schema';
import {
  candidateInfo,
  closeAll,
  connectPeers,
  deadline,
  negotiate,
  relayProtocols,
  selectedPair,
  until,
  type CandidateInfo,
  type PeerFactory,
} from './peer';
import { grade, mos } from './stats';
import { runStream } from './stream';
import { TRANSPORT_LABEL } from '#common/report/kinds';
import { SATURATED_PAIR_RTT_MS } from '#common/analysis/browser-relay';

export interface RelayOptions {
  credentials: { username: string; credential: string };
  connectDeadlineMs: number;
  streamMs: number;
  packetRate: number;
  signal?: AbortSignal;
  createPeer: PeerFactory;
}

interface IceError {
  code: number;
  text: string;
  url: string | null;
  atMs: number;
}

/**
 * One TURN server over one transport, end to end, as a call would use it: two peers of this page,
 * both restricted to relay candidates of this server only (iceTransportPolicy 'relay'), connect with
 * ICE, DTLS and SCTP, then stream packets through the relay. Two checks come out: the gathering
 * (did a relay candidate of the right relayProtocol appear, and when) and the relay itself
 * (connect time, RTT from the candidate pair and from echoes, jitter, loss).
 *
 * Our own deadline bounds every step: Chromium never gives up on TURN over TCP/TLS when SYNs are
 * dropped, and its UDP failures take ~40 s. Every peer is closed on every path.
 */
export async function relayTest(
  server: WebrtcServer,
  o: RelayOptions,
): Promise<{ gather: CheckResult; relay: CheckResult }> {
  const meta = { kind: 'webrtc' as const, transport: server.transport, host: server.host, port: server.port };
  const label = `TURN over ${TRANSPORT_LABEL[server.transport]} ${server.host}:${server.port}`;
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const config: RTCConfiguration = {
    iceServers: [{ urls: server.url, username: o.credentials.username, credential: o.credentials.credential }],
    iceTransportPolicy: 'relay',
    bundlePolicy: 'max-bundle',
    iceCandidatePoolSize: 0,
  };
  const pcs: RTCPeerConnection[] = [];
  const limit = deadline(o.signal, o.connectDeadlineMs);
  const candidates: CandidateInfo[] = [];
  const errors: IceError[] = [];
  let firstRelayMs: number | null = null;
  let relayProtocol: string | null = null;
  try {
    const a = o.createPeer(config);
    pcs.push(a);
    const b = o.createPeer(config);
    pcs.push(b);
    a.addEventListener('icecandidate', (e) => {
      const c = (e as RTCPeerConnectionIceEvent).candidate;
      if (!c?.candidate) return;
      const info = candidateInfo(c, since());
      candidates.push(info);
      if (info.type === 'relay' && firstRelayMs === null) firstRelayMs = info.atMs;
    });
    a.addEventListener('icecandidateerror', (e) => {
      const x = e as RTCPeerConnectionIceErrorEvent;
      errors.push({ code: x.errorCode, text: x.errorText ?? '', url: x.url ?? null, atMs: Math.round(since()) });
    });
    const link = connectPeers(a, b);
    const sender = a.createDataChannel('pathcheck', { ordered: false, maxRetransmits: 0 });
    const receiver = new Promise<RTCDataChannel>((resolve) =>
      b.addEventListener('datachannel', (e) => resolve((e as RTCDataChannelEvent).channel)),
    );
    await negotiate(a, b, link);

    const gotRelay = await until(
      a,
      ['icecandidate', 'icecandidateerror'],
      () => firstRelayMs !== null || errors.some((x) => x.code === 401),
      limit.signal,
    );
    if (gotRelay && firstRelayMs !== null) {
      const protocols = await relayProtocols(a);
      relayProtocol = [...protocols.values()][0] ?? null;
      for (const c of candidates)
        if (c.type === 'relay') c.relayProtocol = protocols.get(`${c.address}:${c.port}`) ?? null;
    }
    const evidenceBase = { url: server.url, candidates, iceErrors: errors, relayProtocol, firstRelayMs };

    if (firstRelayMs === null) {
      const why = failure(errors, limit.timedOut(), o.signal?.aborted === true);
      const detail = `No relay candidate from ${label}: ${why.text}`;
      const gather: CheckResult = {
        ...meta,
        id: server.gatherId!,
        status: why.status,
        reason: why.reason,
        detail,
        evidence: evidenceBase,
        durationMs: Math.round(since()),
      };
      return {
        gather,
        relay: {
          ...meta,
          id: server.checkId,
          status: why.status,
          reason: why.reason,
          detail: `The browser could not relay through ${label}: ${why.text}`,
          evidence: evidenceBase,
          durationMs: Math.round(since()),
        },
      };
    }
    const gather: CheckResult = {
      ...meta,
      id: server.gatherId!,
      status: 'pass',
      reason: 'ok',
      rttMs: firstRelayMs,
      detail: `The browser got a relay candidate from ${label} (relayProtocol ${relayProtocol ?? 'unknown'}) after ${firstRelayMs} ms.`,
      evidence: evidenceBase,
      durationMs: firstRelayMs,
    };

    // ICE + DTLS + SCTP: the data channel opens only when all three completed.
    const open = await until(sender, ['open', 'close', 'error'], () => sender.readyState === 'open', limit.signal);
    const connectMs = Math.round(since());
    const iceState = a.iceConnectionState;
    if (!open) {
      const iceOk = iceState === 'connected' || iceState === 'completed';
      const reason = o.signal?.aborted ? 'aborted' : iceOk ? 'no-data' : 'ice-failed';
      // ICE's own checks measured the relayed round trip: a slow or saturated link shows there
      const pairRttMs = iceOk ? ((await selectedPair(a).catch(() => null))?.rttMs ?? null) : null;
      const detail = !iceOk
        ? `${label}: a relay candidate appeared, but the two peers could not connect through it within ${o.connectDeadlineMs} ms (ICE ${iceState}).`
        : pairRttMs !== null && pairRttMs >= SATURATED_PAIR_RTT_MS
          ? `${label}: ICE connected through the relay, but the DTLS/SCTP handshake did not complete within ${o.connectDeadlineMs} ms; the relayed round trip was ${Math.round(pairRttMs)} ms, so the link was slow or saturated, which can starve a handshake — this alone does not show interference.`
          : `${label}: ICE connected through the relay, but the DTLS/SCTP handshake never completed — something on the path interferes with the relayed data.`;
      return {
        gather,
        relay: {
          ...meta,
          id: server.checkId,
          status: o.signal?.aborted ? 'skipped' : 'fail',
          reason,
          detail,
          evidence: { ...evidenceBase, iceState, connectMs, ...(pairRttMs !== null ? { pairRttMs } : {}) },
          durationMs: connectMs,
        },
      };
    }
    limit.dispose();

    const streamLimit = deadline(o.signal, o.streamMs + 3000);
    const stats = await runStream(sender, receiver, {
      durationMs: o.streamMs,
      rate: o.packetRate,
      signal: streamLimit.signal,
    });
    streamLimit.dispose();
    const pair = await selectedPair(a);
    const evidence = {
      ...evidenceBase,
      connectMs,
      pair,
      stream: { ...stats, durationMs: o.streamMs, packetRate: o.packetRate },
    };
    if (o.signal?.aborted)
      return {
        gather,
        relay: {
          ...meta,
          id: server.checkId,
          status: 'skipped',
          reason: 'aborted',
          detail: 'Not finished: the diagnosis was cancelled.',
          evidence,
        },
      };
    if (stats.echoed === 0) {
      return {
        gather,
        relay: {
          ...meta,
          id: server.checkId,
          status: 'fail',
          reason: 'no-data',
          evidence,
          durationMs: Math.round(since()),
          detail: `${label}: the connection opened, but none of ${stats.sent} packets made it through the relay and back.`,
        },
      };
    }
    const rtt = stats.rttMs!.median;
    const jitter = stats.jitterMs ?? 0;
    const quality = { grade: grade(rtt, stats.lossPct, jitter), mos: mos(rtt, jitter, stats.lossPct) };
    const poor = quality.grade === 'poor';
    return {
      gather,
      relay: {
        ...meta,
        id: server.checkId,
        status: poor ? 'warn' : 'pass',
        reason: poor ? 'poor-quality' : 'ok',
        rttMs: rtt,
        detail: `Media-like data flowed through ${label}: connected in ${connectMs} ms, round trip ${rtt} ms, jitter ${jitter} ms, loss ${stats.lossPct} % (${quality.grade}).`,
        evidence: { ...evidence, quality },
        durationMs: Math.round(since()),
      },
    };
  } catch (e) {
    const detail = `The browser could not test ${label}: ${(e as Error)?.message ?? String(e)}`;
    const evidence = { url: server.url, candidates, iceErrors: errors };
    return {
      gather: { ...meta, id: server.gatherId!, status: 'fail', reason: 'webrtc-error', detail, evidence },
      relay: { ...meta, id: server.checkId, status: 'fail', reason: 'webrtc-error', detail, evidence },
    };
  } finally {
    limit.dispose();
    closeAll(pcs);
  }
}

/** Why no relay candidate came: the server's own answer when there is one, else our deadline. */
export function failure(
  errors: IceError[],
  timedOut: boolean,
  aborted: boolean,
): { status: 'fail' | 'skipped'; reason: Reason; text: string } {
  if (aborted) return { status: 'skipped', reason: 'aborted', text: 'the diagnosis was cancelled.' };
  const auth = errors.find((x) => x.code === 401 || x.code === 431);
  if (auth)
    return {
      status: 'fail',
      reason: 'auth-failed',
      text: `the server refused the credentials (${auth.code} ${auth.text}).`,
    };
  const other = errors[0];
  if (other && !timedOut)
    return { status: 'fail', reason: 'ice-error', text: `ICE error ${other.code} ${other.text}.` };
  if (other)
    return {
      status: 'fail',
      reason: 'timeout',
      text: `nothing within the deadline (last ICE error ${other.code} ${other.text}).`,
    };
  return {
    status: 'fail',
    reason: 'timeout',
    text: timedOut ? 'no answer within the deadline.' : 'gathering ended without one.',
  };
}
