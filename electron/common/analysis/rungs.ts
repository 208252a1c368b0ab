import type { GroupPath, Latency, P2pPath } from '../report/schema';

/**
 * The ladder (docs/architecture.md, "Verdict rules"): rungs in order of preference, lowest latency first. Data, not code paths,
 * so the live view, the verdicts and the reports all name rungs the same way.
 */
export const GROUP_RUNGS = ['direct-udp', 'turn-udp', 'turn-tcp', 'turn-tls'] as const satisfies readonly GroupPath[];
export const P2P_RUNGS = [
  'direct-udp',
  'direct-tcp',
  'turn-udp',
  'turn-tcp',
  'turn-tls',
] as const satisfies readonly P2pPath[];

/** Latency class of a path: direct = optimal, TURN/UDP adds < 50 ms, TURN over TCP/TLS adds > 50 ms. */
export function latencyOf(path: P2pPath): Latency {
  switch (path) {
    case 'direct-udp':
    case 'direct-tcp':
      return 'optimal';
    case 'turn-udp':
      return 'marginal';
    case 'turn-tcp':
    case 'turn-tls':
      return 'high';
    case 'blocked':
      return 'none';
  }
}

/** Short name of a path for tables, diagrams and the live ladder, e.g. "TURN over TLS". */
export const RUNG_LABEL: Record<P2pPath, string> = {
  'direct-udp': 'Direct UDP',
  'direct-tcp': 'Direct TCP',
  'turn-udp': 'TURN over UDP',
  'turn-tcp': 'TURN over TCP',
  'turn-tls': 'TURN over TLS',
  blocked: 'Blocked',
};

/** Which transport a TURN rung needs. */
export function turnTransportOf(path: P2pPath): 'udp' | 'tcp' | 'tls' | null {
  return path === 'turn-udp' ? 'udp' : path === 'turn-tcp' ? 'tcp' : path === 'turn-tls' ? 'tls' : null;
}

/** CLI exit code for a set of paths (docs/architecture.md, "CLI"): the worst requested room decides. */
export function exitCodeFor(paths: readonly P2pPath[]): 0 | 1 | 2 | 3 {
  let code: 0 | 1 | 2 | 3 = 0;
  for (const p of paths) {
    const c = p === 'blocked' ? 3 : p === 'turn-tcp' || p === 'turn-tls' ? 2 : p === 'turn-udp' ? 1 : 0;
    if (c > code) code = c;
  }
  return code;
}
