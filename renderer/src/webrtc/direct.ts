import type { WebrtcServer } from '#common/ipc/diagnosis';
import { checkId } from '#common/analysis/ids';
import type { CheckResult } from '#common/report/schema';
import {
  candidateInfo,
  closeAll,
  connectPeers,
  deadline,
  negotiate,
  selectedPair,
  until,
  type CandidateInfo,
  type PeerFactory,
} from './peer';
import { runStream } from './stream';

interface Common {
  connectDeadlineMs: number;
  signal?: AbortSignal;
  createPeer: PeerFactory;
}

/**
 * Gathering against one STUN server: does a server-reflexive candidate appear, and when. Chromium
 * omits a srflx candidate that equals a host candidate (no NAT), and its own STUN failure takes
 * ~40 s, so "no srflx within our deadline" is a warning, not proof of a block; the engine's STUN
 * probe decides that. Two srflx candidates with different ports hint at a symmetric NAT.
 */
export async function stunGather(server: WebrtcServer, o: Common): Promise<CheckResult> {
  const meta = {
    id: server.checkId,
    kind: 'webrtc' as const,
    transport: 'udp' as const,
    host: server.host,
    port: server.port,
  };
  const t0 = performance.now();
  const pcs: RTCPeerConnection[] = [];
  const limit = deadline(o.signal, o.connectDeadlineMs);
  const candidates: CandidateInfo[] = [];
  const errors: Array<{ code: number; text: string }> = [];
  try {
    const pc = o.createPeer({ iceServers: [{ urls: server.url }], iceTransportPolicy: 'all', iceCandidatePoolSize: 0 });
    pcs.push(pc);
    pc.addEventListener('icecandidate', (e) => {
      const c = (e as RTCPeerConnectionIceEvent).candidate;
      if (c?.candidate) candidates.push(candidateInfo(c, performance.now() - t0));
    });
    pc.addEventListener('icecandidateerror', (e) => {
      const x = e as RTCPeerConnectionIceErrorEvent;
      errors.push({ code: x.errorCode, text: x.errorText ?? '' });
    });
    pc.createDataChannel('gather');
    await pc.setLocalDescription(await pc.createOffer());
    // Wait for a srflx candidate, or for gathering to finish (it can, when the server answered fast), or the deadline.
    await until(
      pc,
      ['icecandidate', 'icegatheringstatechange'],
      () => candidates.some((c) => c.type === 'srflx') || pc.iceGatheringState === 'complete',
      limit.signal,
    );
    const srflx = candidates.filter((c) => c.type === 'srflx');
    const evidence = { url: server.url, candidates, iceErrors: errors, srflxCount: srflx.length };
    if (o.signal?.aborted)
      return {
        ...meta,
        status: 'skipped',
        reason: 'aborted',
        detail: 'Not finished: the diagnosis was cancelled.',
        evidence,
      };
    if (srflx.length > 0) {
      return {
        ...meta,
        status: 'pass',
        reason: 'ok',
        rttMs: srflx[0]!.atMs,
        evidence,
        durationMs: Math.round(performance.now() - t0),
        detail: `The browser learned its public address ${srflx[0]!.address ?? ''}:${srflx[0]!.port ?? ''} from ${server.host}:${server.port} after ${srflx[0]!.atMs} ms.`,
      };
    }
    return {
      ...meta,
      status: 'warn',
      reason: errors.length ? 'ice-error' : 'no-srflx',
      evidence,
      durationMs: Math.round(performance.now() - t0),
      detail: `No server-reflexive candidate from ${server.host}:${server.port} within ${o.connectDeadlineMs} ms: either UDP to it is blocked, or there is no NAT (the browser does not repeat an address equal to a local one).`,
    };
  } catch (e) {
    return {
      ...meta,
      status: 'fail',
      reason: 'webrtc-error',
      detail: `The browser could not gather against ${server.host}:${server.port}: ${(e as Error)?.message ?? String(e)}`,
      evidence: { candidates },
    };
  } finally {
    limit.dispose();
    closeAll(pcs);
  }
}

/**
 * The direct (non-relay) question for peer-to-peer: two peers of this page with host and srflx
 * candidates only (relay candidates are never exchanged). It proves the browser's ICE/DTLS/SCTP
 * stack connects without a relay here; both peers run on this machine, so it cannot prove the far
 * side's network allows it — the report says so.
 */
export async function directTest(
  stun: WebrtcServer[],
  o: Common & { streamMs: number; packetRate: number },
): Promise<CheckResult> {
  const meta = { id: checkId.webrtcDirect(), kind: 'webrtc' as const };
  const t0 = performance.now();
  const pcs: RTCPeerConnection[] = [];
  const limit = deadline(o.signal, o.connectDeadlineMs);
  try {
    const config: RTCConfiguration = {
      iceServers: stun.map((s) => ({ urls: s.url })),
      iceTransportPolicy: 'all',
      bundlePolicy: 'max-bundle',
    };
    const a = o.createPeer(config);
    pcs.push(a);
    const b = o.createPeer(config);
    pcs.push(b);
    const hostAddresses: string[] = [];
    a.addEventListener('icecandidate', (e) => {
      const c = (e as RTCPeerConnectionIceEvent).candidate;
      if (c?.candidate) {
        const info = candidateInfo(c, performance.now() - t0);
        if (info.type === 'host' && info.address) hostAddresses.push(info.address);
      }
    });
    const link = connectPeers(a, b, (c) => c.type !== 'relay');
    const sender = a.createDataChannel('direct', { ordered: false, maxRetransmits: 0 });
    const receiver = new Promise<RTCDataChannel>((resolve) =>
      b.addEventListener('datachannel', (e) => resolve((e as RTCDataChannelEvent).channel)),
    );
    await negotiate(a, b, link);
    const open = await until(sender, ['open', 'close', 'error'], () => sender.readyState === 'open', limit.signal);
    const connectMs = Math.round(performance.now() - t0);
    if (!open) {
      if (o.signal?.aborted)
        return {
          ...meta,
          status: 'skipped',
          reason: 'aborted',
          detail: 'Not finished: the diagnosis was cancelled.',
          evidence: {},
        };
      if (hostAddresses.length > 0 && hostAddresses.every((h) => h.endsWith('.local'))) {
        // Chromium hides local addresses behind mDNS names unless media permission was granted.
        return {
          ...meta,
          status: 'warn',
          reason: 'mdns-only',
          evidence: { iceState: a.iceConnectionState, connectMs, hostAddresses },
          detail:
            'The browser hid its local addresses behind mDNS names, which the two test peers could not use; this says nothing about the network (the engine\u2019s port checks decide direct paths).',
        };
      }
      return {
        ...meta,
        status: 'fail',
        reason: 'ice-failed',
        evidence: { iceState: a.iceConnectionState, connectMs },
        detail: `Two peers in this app could not connect directly (ICE ${a.iceConnectionState}) within ${o.connectDeadlineMs} ms.`,
      };
    }
    limit.dispose();
    const streamMs = Math.min(o.streamMs, 1000);
    const s = deadline(o.signal, streamMs + 2000);
    const stats = await runStream(sender, receiver, {
      durationMs: streamMs,
      rate: o.packetRate,
      signal: s.signal,
      drainMs: 200,
    });
    s.dispose();
    const pair = await selectedPair(a);
    return {
      ...meta,
      status: 'pass',
      reason: 'ok',
      rttMs: stats.rttMs?.median ?? pair.rttMs ?? undefined,
      durationMs: Math.round(performance.now() - t0),
      detail: `Two peers in this app connected directly (${pair.localType ?? 'host'} ↔ ${pair.remoteType ?? 'host'}) in ${connectMs} ms without a relay. Both ran on this machine, so this shows the local WebRTC stack works; the other participant\u2019s network is not covered.`,
      evidence: { connectMs, pair, stream: { ...stats, durationMs: streamMs } },
    };
  } catch (e) {
    return {
      ...meta,
      status: 'fail',
      reason: 'webrtc-error',
      detail: `The direct connection test could not run: ${(e as Error)?.message ?? String(e)}`,
      evidence: {},
    };
  } finally {
    limit.dispose();
    closeAll(pcs);
  }
}
