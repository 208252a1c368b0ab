/**
 * Maps socket errno codes to the machine-readable reason codes of the report, and reasons to one
 * plain sentence a helpdesk person can read out. Keeping it in one place means TCP, TLS, proxy and
 * range probes all speak the same vocabulary.
 */
export type ProbeReason =
  | 'ok' | 'timeout' | 'refused' | 'reset' | 'unreachable' | 'local-blocked' | 'dns-failed' | 'nxdomain'
  | 'tls-failed' | 'tls-intercepted' | 'tls-hostname-mismatch' | 'proxy-refused' | 'proxy-auth-required' | 'proxy-failed' | 'family-missing' | 'aborted';

/** Extracts `err.code` (e.g. 'ECONNREFUSED') when present. */
export function errnoOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

/**
 * Reason for a failed connect. EPERM/EACCES come from this machine's own firewall (a local
 * nftables/iptables REJECT or a sandbox); a local DROP of TCP just hangs and shows as `timeout`.
 */
export function reasonForErrno(code: string | undefined): ProbeReason {
  switch (code) {
    case 'ECONNREFUSED': return 'refused';
    case 'ECONNRESET': case 'EPIPE': case 'ECONNABORTED': return 'reset';
    case 'EHOSTUNREACH': case 'ENETUNREACH': case 'EHOSTDOWN': case 'ENETDOWN': case 'EADDRNOTAVAIL': return 'unreachable';
    case 'EPERM': case 'EACCES': return 'local-blocked';
    case 'ETIMEDOUT': return 'timeout';
    case 'ENOTFOUND': return 'nxdomain';
    case 'EAI_AGAIN': case 'EAI_FAIL': case 'ESERVFAIL': return 'dns-failed';
    default: return 'unreachable';
  }
}

/** One sentence describing why `target` (e.g. "TCP to turn.example.com:443") failed. */
export function describeReason(reason: ProbeReason, target: string, deadlineMs?: number): string {
  switch (reason) {
    case 'ok': return `${target} works.`;
    case 'timeout': return `${target} got no answer within ${deadlineMs ?? '?'} ms — something on the way silently drops the traffic.`;
    case 'refused': return `${target} was actively refused — nothing listens there, or a firewall rejects the connection.`;
    case 'reset': return `${target} was cut off (connection reset) — a firewall or the server closed it abruptly.`;
    case 'unreachable': return `${target} is unreachable — this machine has no route to that address.`;
    case 'local-blocked': return `${target} was blocked by this computer's own firewall before it left the machine.`;
    case 'dns-failed': return `${target} could not be looked up — the DNS server did not answer properly.`;
    case 'nxdomain': return `${target} does not exist in DNS.`;
    case 'tls-failed': return `${target} failed during the TLS handshake.`;
    case 'tls-intercepted': return `${target} is re-signed by an unexpected certificate — a TLS-inspecting proxy or firewall sits in the path.`;
    case 'tls-hostname-mismatch': return `${target} presented a valid certificate for a different name.`;
    case 'proxy-refused': return `${target} was refused by the proxy server.`;
    case 'proxy-auth-required': return `${target} needs credentials for the proxy server.`;
    case 'proxy-failed': return `${target} could not be reached through the proxy server.`;
    case 'family-missing': return `${target} found no address of the asked IP family.`;
    case 'aborted': return `${target} was cancelled before it finished.`;
  }
}
