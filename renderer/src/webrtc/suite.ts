import type { WebrtcPlan } from '#common/ipc/diagnosis';
import type { WebrtcTest } from '#common/analysis/ids';
import type { CheckResult } from '#common/report/schema';
import { directTest, stunGather } from './direct';
import { defaultPeerFactory, type PeerFactory } from './peer';
import { relayTest } from './relay';

/** Every check the suite makes is a `webrtc:*` check of kind 'webrtc' (what main's schema accepts). */
export type WebrtcCheck = CheckResult & { kind: 'webrtc' };

export interface SuiteOptions {
  signal?: AbortSignal;
  /** Called as each check resolves, so the live ladder can light up before the suite ends. */
  onCheck?: (check: CheckResult) => void;
  /** RTCPeerConnection constructor (tests pass a fake). */
  createPeer?: PeerFactory;
}

/** Whether this page can run the suite at all. */
export function webrtcAvailable(): boolean {
  return typeof globalThis.RTCPeerConnection === 'function';
}

/**
 * The renderer's WebRTC suite for one run: every STUN server gathered, every TURN server/transport
 * relayed end to end, and the direct connection test — all at once, each under its own deadline.
 * The plan comes from main (ICE servers and this run's credentials); the results go back to main,
 * which merges them with the engine's checks. Never throws for a network outcome; every check
 * comes back as a result.
 */
export async function runWebrtcSuite(plan: WebrtcPlan, options: SuiteOptions = {}): Promise<WebrtcCheck[]> {
  const createPeer = options.createPeer ?? defaultPeerFactory;
  const results: WebrtcCheck[] = [];
  const report = (c: CheckResult, webrtcTest: WebrtcTest) => {
    const check: WebrtcCheck = { ...c, kind: 'webrtc', webrtcTest };
    results.push(check);
    options.onCheck?.(check);
  };
  const common = {
    connectDeadlineMs: plan.connectDeadlineMs,
    createPeer,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const tasks: Array<Promise<void>> = [];
  for (const server of plan.servers) {
    if (server.kind === 'stun') {
      tasks.push(stunGather(server, common).then((c) => report(c, 'stun-gather')));
      continue;
    }
    if (!plan.credentials) {
      const why = plan.credentialsError
        ? `TURN credentials could not be obtained (${plan.credentialsError}), so the browser cannot allocate a relay.`
        : 'The profile has no TURN credentials, so the browser cannot allocate a relay; the engine still checks that the server answers.';
      const meta = {
        kind: 'webrtc' as const,
        transport: server.transport,
        host: server.host,
        port: server.port,
        status: 'skipped' as const,
        reason: 'no-credentials' as const,
        detail: why,
        evidence: { url: server.url },
      };
      report({ ...meta, id: server.gatherId! }, 'relay-gather');
      report({ ...meta, id: server.checkId }, 'relay');
      continue;
    }
    tasks.push(
      relayTest(server, {
        ...common,
        credentials: plan.credentials,
        streamMs: plan.streamMs,
        packetRate: plan.packetRate,
      }).then(({ gather, relay }) => {
        report(gather, 'relay-gather');
        report(relay, 'relay');
      }),
    );
  }
  if (plan.direct) {
    tasks.push(
      directTest(
        plan.servers.filter((s) => s.kind === 'stun'),
        { ...common, streamMs: plan.streamMs, packetRate: plan.packetRate },
      ).then((c) => report(c, 'direct')),
    );
  }
  await Promise.all(tasks);
  return results;
}
