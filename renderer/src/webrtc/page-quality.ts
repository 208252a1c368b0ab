import type { WebrtcPlan, WebrtcServer } from '#common/ipc/diagnosis';
import type { QualityPath, QualityResult } from '#common/quality/schema';
import type { CheckResult } from '#common/report/schema';
import type { PeerFactory } from './peer';
import { measureCallQuality } from './quality';

/**
 * The page's call-quality sensor for one run (docs/quality.md): after the suite, a short real call
 * over the first TURN transport — UDP, then TCP, then TLS — whose relay test passed: the relay a call
 * takes when direct media is not possible, and the one a direct verdict falls back to. (Two peers of
 * this page connected directly would only talk over this computer's own interfaces, which says
 * nothing about the network, so direct paths are not measured here.) It starts only once main
 * gave it the link (the engine's own quality streams are done: both cross the same link).
 */
export interface PageQualityOptions {
  signal?: AbortSignal;
  /** Asks main for the link (`diagnosis:claim-link`); false: not this run, nothing is measured. */
  claimLink?: () => Promise<boolean>;
  createPeer?: PeerFactory;
}

const ORDER = { udp: 0, tcp: 1, tls: 2 } as const;
const PATH = { udp: 'turn-udp', tcp: 'turn-tcp', tls: 'turn-tls' } as const satisfies Record<
  WebrtcServer['transport'],
  QualityPath
>;

/** The server the call is made over: the first working relay in ladder order, if any. */
export function pageQualityServer(plan: WebrtcPlan, checks: readonly CheckResult[]): WebrtcServer | undefined {
  const passed = new Set(checks.filter((c) => c.status === 'pass' || c.status === 'warn').map((c) => c.id));
  return plan.servers
    .filter((s) => s.kind === 'turn' && passed.has(s.checkId))
    .sort((a, b) => ORDER[a.transport] - ORDER[b.transport])[0];
}

export async function runPageQuality(
  plan: WebrtcPlan,
  checks: readonly CheckResult[],
  o: PageQualityOptions = {},
): Promise<QualityResult[]> {
  const q = plan.quality;
  const server = pageQualityServer(plan, checks);
  if (!q || !plan.credentials || !server) return [];
  const granted = o.claimLink ? await o.claimLink() : true;
  if (!granted || o.signal?.aborted) return [];
  const m = await measureCallQuality({
    path: PATH[server.transport],
    host: server.host,
    port: server.port,
    iceServers: [{ urls: server.url, username: plan.credentials.username, credential: plan.credentials.credential }],
    targetKbps: q.targetKbps,
    rates: q.rates,
    directionMs: q.directionMs,
    connectDeadlineMs: plan.connectDeadlineMs,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.createPeer ? { createPeer: o.createPeer } : {}),
  });
  return m.quality ? [m.quality] : [];
}
