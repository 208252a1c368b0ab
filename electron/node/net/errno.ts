import type { Reason } from '#common/report/reason';

/** Extracts `err.code` (e.g. 'ECONNREFUSED') when present. */
export function errnoOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

/** OpenSSL and Node TLS error codes: the handshake, not the network, failed. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/**
 * The one errno → reason map of every probe (TCP, TLS, DNS, STUN/TURN, proxy, ranges).
 * EPERM/EACCES come from this machine's own firewall (a local nftables/iptables REJECT, or a DROP
 * of UDP, fails send()/connect() at once); a local DROP of TCP just hangs and shows as `timeout`.
 * ENOTFOUND is getaddrinfo's "no such name" (EAI_NONAME), so it is `nxdomain`; EAI_AGAIN is a DNS
 * server that did not answer properly, `dns-failed`. A code not listed here gets `fallback`: what
 * the caller was doing decides what an unknown failure most likely is.
 */
export function reasonForErrno(code: string | undefined, fallback: Reason = 'unreachable'): Reason {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'EPERM':
    case 'EACCES':
      return 'local-blocked';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'ESERVFAIL':
      return 'dns-failed';
    default:
      return code && TLS_CODE.test(code) ? 'tls-failed' : fallback;
  }
}
