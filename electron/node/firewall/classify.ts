import type { Layer } from '#common/report/schema';
import type { DropRule, FirewallDetection } from './types';

/**
 * Which layer blocked a failed check, from how it failed plus what local detection found:
 * a UDP send refused at once with EPERM/EACCES is this machine's firewall (the kernel refused it);
 * a timeout is local only when a local drop rule matches that protocol and port (TCP just hangs on
 * a local drop), otherwise the network edge; a failure through the proxy is the proxy.
 */
export interface LayerEvidence {
  transport?: 'udp' | 'tcp' | 'tls' | undefined;
  port?: number | undefined;
  /** Check reason code: timeout | refused | reset | local-blocked | proxy-* | … */
  reason: string;
  /** Check evidence; reads `code`/`errorCode` (Node error code), `viaProxy`/`proxy`. */
  evidence?: Record<string, unknown>;
}

function matches(d: DropRule, protocol: 'udp' | 'tcp', port: number | undefined): boolean {
  if (d.protocol !== 'any' && d.protocol !== protocol) return false;
  if (d.ports === null || port === undefined) return true;
  return d.ports.some(([a, b]) => port >= a && port <= b);
}

/** True when some local rule or policy would drop this protocol/port. */
export function localDropMatches(detection: FirewallDetection, protocol: 'udp' | 'tcp', port?: number): boolean {
  return (
    detection.dropChains.some((c) =>
      (c.drops ?? (c.policyDrop ? [{ protocol: 'any', ports: null, verdict: 'policy' }] : [])).some((d) =>
        matches(d, protocol, port),
      ),
    ) ||
    (detection.dropChains.length === 0 && detection.outboundDefault === 'drop')
  );
}

export function classifyLayer(check: LayerEvidence, detection: FirewallDetection | null): Layer {
  const ev = check.evidence ?? {};
  const code = String(ev.code ?? ev.errorCode ?? '');
  const viaProxy = ev.viaProxy === true || (typeof ev.proxy === 'string' && ev.proxy !== '' && ev.proxy !== 'DIRECT');
  if (viaProxy || check.reason.startsWith('proxy')) return 'proxy';
  if (code === 'EPERM' || code === 'EACCES' || check.reason === 'local-blocked') return 'local';
  const protocol = check.transport === 'udp' ? 'udp' : 'tcp';
  const silent = check.reason === 'timeout' || code === 'ETIMEDOUT';
  const refused = check.reason === 'refused' || code === 'ECONNREFUSED';
  if (!silent && !refused) return 'unknown';
  if (!detection) return 'unknown';
  if (localDropMatches(detection, protocol, check.port)) return 'local';
  return silent ? 'perimeter' : 'unknown';
}
