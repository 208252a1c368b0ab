/**
 * Small helpers around RTCPeerConnection: a deadline signal, waiting for an event with a deadline,
 * in-page candidate exchange between two peers, and reading what getStats() knows better than the
 * candidate objects (RTCIceCandidate.relayProtocol is null for UDP relays in Chromium; the
 * local-candidate stats carry it).
 */

export type PeerFactory = (config: RTCConfiguration) => RTCPeerConnection;

export const defaultPeerFactory: PeerFactory = (config) => new RTCPeerConnection(config);

/** Aborts when `outer` does or after `ms`; `dispose()` clears the timer. */
export function deadline(
  outer: AbortSignal | undefined,
  ms: number,
): { signal: AbortSignal; dispose(): void; timedOut(): boolean } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('deadline', 'TimeoutError'));
  }, ms);
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Resolves true when `test()` becomes true (re-checked on each `events` event), false when `signal` aborts first. */
export function until(
  target: EventTarget,
  events: string[],
  test: () => boolean,
  signal: AbortSignal,
): Promise<boolean> {
  if (test()) return Promise.resolve(true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      for (const e of events) target.removeEventListener(e, check);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const check = () => {
      if (test()) done(true);
    };
    const onAbort = () => done(false);
    for (const e of events) target.addEventListener(e, check);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A candidate as the report shows it (addresses are the page's own: lab and app only). */
export interface CandidateInfo {
  type: string;
  protocol: string;
  address: string | null;
  port: number | null;
  relayProtocol?: string | null;
  url?: string | null;
  atMs: number;
}

export function candidateInfo(c: RTCIceCandidate, atMs: number): CandidateInfo {
  // `type` etc. are parsed by Chromium; fall back to the SDP line for other engines.
  const parts = c.candidate.split(' ');
  return {
    type: c.type ?? parts[7] ?? 'unknown',
    protocol: c.protocol ?? parts[2]?.toLowerCase() ?? 'unknown',
    address: c.address ?? parts[4] ?? null,
    port: c.port ?? (parts[5] ? Number(parts[5]) : null),
    atMs: Math.round(atMs),
  };
}

/**
 * Trickles candidates between two peers of this page. Candidates that arrive before the far side
 * has its remote description are queued (addIceCandidate would reject them), then flushed.
 */
export function connectPeers(
  a: RTCPeerConnection,
  b: RTCPeerConnection,
  filter: (c: RTCIceCandidate) => boolean = () => true,
) {
  const queues = new Map<RTCPeerConnection, RTCIceCandidateInit[]>([
    [a, []],
    [b, []],
  ]);
  const deliver = (to: RTCPeerConnection, c: RTCIceCandidateInit) => {
    if (!to.remoteDescription) queues.get(to)!.push(c);
    else to.addIceCandidate(c).catch(() => undefined);
  };
  const forward = (from: RTCPeerConnection, to: RTCPeerConnection) =>
    from.addEventListener('icecandidate', (e) => {
      const c = (e as RTCPeerConnectionIceEvent).candidate;
      if (c && c.candidate && filter(c)) deliver(to, c.toJSON());
    });
  forward(a, b);
  forward(b, a);
  return {
    /** Call after `pc.setRemoteDescription`. */
    flush(pc: RTCPeerConnection) {
      const q = queues.get(pc)!;
      queues.set(pc, []);
      for (const c of q) pc.addIceCandidate(c).catch(() => undefined);
    },
  };
}

/** Offer/answer between two peers of this page. */
export async function negotiate(
  a: RTCPeerConnection,
  b: RTCPeerConnection,
  link: ReturnType<typeof connectPeers>,
): Promise<void> {
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  link.flush(b);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  link.flush(a);
}

export interface PairStats {
  /** ICE's own measure: candidate-pair currentRoundTripTime, ms. */
  rttMs: number | null;
  localType: string | null;
  remoteType: string | null;
  localRelayProtocol: string | null;
  localProtocol: string | null;
}

type StatsRecord = Record<string, unknown> & { type: string; id: string };

function all(report: RTCStatsReport): StatsRecord[] {
  const out: StatsRecord[] = [];
  report.forEach((s: StatsRecord) => out.push(s));
  return out;
}

/** The selected (or best succeeded) candidate pair and its two candidates. */
export async function selectedPair(pc: RTCPeerConnection): Promise<PairStats> {
  const stats = all(await pc.getStats());
  const byId = new Map(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  let pair = transport ? byId.get(String(transport.selectedCandidatePairId)) : undefined;
  pair ??= stats.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated);
  pair ??= stats.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded');
  const local = pair ? byId.get(String(pair.localCandidateId)) : undefined;
  const remote = pair ? byId.get(String(pair.remoteCandidateId)) : undefined;
  const rtt =
    typeof pair?.currentRoundTripTime === 'number' ? Math.round(pair.currentRoundTripTime * 1000 * 10) / 10 : null;
  return {
    rttMs: rtt,
    localType: (local?.candidateType as string | undefined) ?? null,
    remoteType: (remote?.candidateType as string | undefined) ?? null,
    localRelayProtocol: (local?.relayProtocol as string | undefined) ?? null,
    localProtocol: (local?.protocol as string | undefined) ?? null,
  };
}

/** relayProtocol per relay address:port from the local-candidate stats. */
export async function relayProtocols(pc: RTCPeerConnection): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of all(await pc.getStats())) {
    if (s.type === 'local-candidate' && s.candidateType === 'relay' && typeof s.relayProtocol === 'string') {
      out.set(`${String(s.address ?? s.ip)}:${String(s.port)}`, s.relayProtocol);
    }
  }
  return out;
}

/** Closes every peer, ignoring errors: called on every path, success or not. */
export function closeAll(pcs: Iterable<RTCPeerConnection>): void {
  for (const pc of pcs) {
    try {
      pc.close();
    } catch {
      // already closed
    }
  }
}
