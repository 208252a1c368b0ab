/** Outcome of one probe, in the shape the engine wraps into a report check (DESIGN.md "Report"). */
export type ProbeStatus = 'pass' | 'fail' | 'warn' | 'skipped';

export interface ProbeOutcome<E extends Record<string, unknown> = Record<string, unknown>> {
  status: ProbeStatus;
  rttMs?: number; // first request → matching response, ms, 0.1 ms precision
  reason: string; // machine code: ok | auth-required | allocated | auth-failed | timeout | refused | reset | unreachable | local-blocked | tls-failed | turn-error | permission-denied | protocol-error | aborted
  detail: string; // one plain-English sentence a helpdesk person understands
  evidence: E;
}

export type StunTransport = 'udp' | 'tcp' | 'tls';

/** Where a STUN/TURN server listens. `host` may be a name or an IP literal. */
export interface StunEndpoint {
  host: string;
  port: number;
  transport: StunTransport;
}

export interface TlsProbeOptions {
  /** SNI and the name checked against the certificate; defaults to `host` when it is a name. */
  servername?: string;
  /** Extra trusted CA (PEM text), added to Node's bundled roots — for a stack's private CA. */
  ca?: string;
  /** false: finish the handshake whatever the chain, and report `authorized`/`authorizationError` in evidence. */
  rejectUnauthorized?: boolean;
}

export interface ProbeOptions {
  /** Whole-probe deadline in ms (default 3000). Nothing waits longer. */
  deadlineMs?: number;
  /** Aborting closes every socket of the probe at once; the outcome is `aborted`. */
  signal?: AbortSignal;
  /** First UDP retransmission timeout; doubles on each retransmission, capped by the deadline (default 250). */
  rtoMs?: number;
  tls?: TlsProbeOptions;
  /** Family to reach a server given by name over (its A or AAAA record); ignored for IP literals. */
  family?: 4 | 6;
  /** Local address to bind/connect from (e.g. '127.0.0.1' in tests). */
  localAddress?: string;
  /** TCP/TLS only: reach the server through this HTTP proxy's CONNECT tunnel, as Chromium does. */
  proxy?: { host: string; port: number; auth?: string };
  /** SOFTWARE attribute value to send; none when undefined. */
  software?: string;
}
