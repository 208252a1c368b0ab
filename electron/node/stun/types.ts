/** Outcome of one probe: the one shape every probe returns (../probes/types.ts). */
export type { ProbeOutcome, ProbeStatus } from '../probes/types';

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
  /**
   * Address ranges (CIDRs: the profile's `addresses`) a server may direct probes to besides its own
   * address: an RFC 5780 OTHER-ADDRESS or a TURN relayed address elsewhere is used only inside them.
   */
  trusted?: readonly string[];
}
