/**
 * TURN (RFC 8656) probes: Allocate with and without credentials, and the long-term-credential
 * session they share with the relay probe (./relay-probe.ts).
 */
import { encodeMessage, longTermKey, verifyIntegrity, type DecodedMessage } from './codec';
import { attr, type RawAttribute } from './attributes';
import { DEFAULT_DEADLINE_MS, ErrorCode, StunClass, StunMethod, TRANSPORT_UDP } from './constants';
import { answerAddressProblem, formatAddress, type TransportAddress } from './address';
import {
  describeEndpoint,
  failureOutcome,
  sentence,
  newTransactionId,
  openChannel,
  strayEvidence,
  transact,
  type TransactionResult,
} from './client';
import { ProbeError, ProbeScope, type StunChannel, type Strays } from './transport';
import type { ProbeOptions, ProbeOutcome, StunEndpoint } from './types';

export interface TurnCredentials {
  username: string;
  credential: string;
}

export interface TurnOptions extends ProbeOptions {
  username?: string;
  credential?: string;
  /** Requested allocation lifetime in seconds (RFC 8656 §18.2); the server may shorten it. */
  lifetime?: number;
  /** Release the allocation (Refresh LIFETIME=0) when done. Default true. */
  release?: boolean;
  /**
   * Family of the relayed address to ask for (RFC 8656 REQUESTED-ADDRESS-FAMILY); unset = the
   * server's default (IPv4), attribute not sent. Independent of the family used to reach the server.
   */
  relayFamily?: 4 | 6;
}

export interface AllocateEvidence extends Record<string, unknown> {
  transport: string;
  server: string;
  /** The relayed family asked for (REQUESTED-ADDRESS-FAMILY), when one was. */
  relayFamily?: 4 | 6;
  local?: { address: string; port: number };
  realm?: string;
  relayed?: TransportAddress;
  mapped?: TransportAddress;
  lifetime?: number;
  released?: boolean;
  errorCode?: number;
  errorReason?: string;
  software?: string;
  integrityVerified?: boolean;
  staleNonceRetries?: number;
  tls?: Record<string, unknown>;
  /** Why the allocation answer cannot be right (`bad-response`). */
  badAnswer?: string;
  /** ALTERNATE-SERVER of a 300 answer: recorded, never followed (only the profile's servers are tested). */
  alternateServer?: string;
  strays?: Strays;
}

const MAX_STALE_NONCE_RETRIES = 2;

/** A long-term-credential TURN conversation on one channel (RFC 8656 §7, RFC 8489 §9.2). */
export class TurnSession {
  realm?: string;
  nonce?: string;
  key?: Uint8Array;
  staleNonceRetries = 0;

  constructor(
    private readonly scope: ProbeScope,
    readonly ch: StunChannel,
    private readonly creds: TurnCredentials | undefined,
    private readonly rtoMs: number | undefined,
    private readonly software: string | undefined,
  ) {}

  private encode(
    method: number,
    attrs: (tid: Uint8Array) => RawAttribute[],
    cls: StunClass = StunClass.request,
  ): Uint8Array {
    const tid = newTransactionId();
    const list = attrs(tid);
    if (this.software) list.unshift(attr.software(this.software));
    if (this.key && this.creds && this.realm !== undefined && this.nonce !== undefined) {
      list.push(attr.username(this.creds.username), attr.realm(this.realm), attr.nonce(this.nonce));
      return encodeMessage(
        { method, cls, transactionId: tid, attributes: list },
        { integrityKey: this.key, fingerprint: true },
      );
    }
    return encodeMessage({ method, cls, transactionId: tid, attributes: list }, { fingerprint: true });
  }

  /**
   * One request, re-sent with fresh credentials on 401 (when we have them and have not tried yet) and on
   * 438 Stale Nonce (RFC 8489 §9.2.4). Returns the final answer, success or error; `first` is the first one.
   */
  async request(
    method: number,
    attrs: (tid: Uint8Array) => RawAttribute[],
  ): Promise<{ final: TransactionResult; first: TransactionResult }> {
    let first: TransactionResult | undefined;
    for (;;) {
      const r = await transact(this.scope, this.ch, this.encode(method, attrs), { rtoMs: this.rtoMs });
      first ??= r;
      const err = r.msg.cls === StunClass.errorResponse ? r.msg.attrs.errorCode?.code : undefined;
      const { realm, nonce } = r.msg.attrs;
      if (err === ErrorCode.Unauthorized && this.creds && !this.key && realm !== undefined && nonce !== undefined) {
        this.realm = realm;
        this.nonce = nonce;
        this.key = longTermKey(this.creds.username, realm, this.creds.credential);
        continue;
      }
      if (err === ErrorCode.StaleNonce && nonce !== undefined && this.staleNonceRetries < MAX_STALE_NONCE_RETRIES) {
        this.staleNonceRetries++;
        this.nonce = nonce;
        if (realm !== undefined) this.realm = realm;
        continue;
      }
      if (
        r.msg.cls === StunClass.successResponse &&
        this.key &&
        r.msg.integrityOffset !== undefined &&
        !verifyIntegrity(r.msg, this.key)
      ) {
        throw new ProbeError(
          'protocol-error',
          'the server signed its answer with a different key (MESSAGE-INTEGRITY mismatch)',
          'integrity',
          'response',
        );
      }
      // Once we authenticated, an unsigned success could come from anyone on the path (RFC 5389 §10.2.3:
      // discard it); believing it would report an allocation nobody proved.
      if (r.msg.cls === StunClass.successResponse && this.key && r.msg.integrityOffset === undefined) {
        throw new ProbeError(
          'bad-response',
          'the server answered our authenticated request without MESSAGE-INTEGRITY',
          'integrity-missing',
          'response',
        );
      }
      return { final: r, first };
    }
  }

  /** Sends an indication (no answer expected). */
  indicate(method: number, attrs: (tid: Uint8Array) => RawAttribute[]): Promise<void> {
    return this.ch.send(this.encode(method, attrs, StunClass.indication));
  }

  /** Refresh LIFETIME=0 (RFC 8656 §7.2); true when the server confirmed. Never throws. */
  async release(): Promise<boolean> {
    try {
      this.scope.phase = 'release';
      const { final } = await this.request(StunMethod.Refresh, () => [attr.lifetime(0)]);
      return final.msg.cls === StunClass.successResponse;
    } catch {
      return false;
    }
  }
}

export function errorOf(m: DecodedMessage): { code?: number; reason?: string } {
  return { code: m.attrs.errorCode?.code, reason: m.attrs.errorCode?.reason };
}

export interface AllocationResult {
  status:
    | 'allocated'
    | 'auth-required'
    | 'auth-failed'
    | 'family-unsupported'
    | 'turn-error'
    | 'protocol-error'
    | 'bad-response';
  session: TurnSession;
  first: TransactionResult;
  final: TransactionResult;
  /** For `bad-response`: what cannot be right. */
  problem?: string;
}

export async function allocate(
  scope: ProbeScope,
  session: TurnSession,
  lifetime?: number,
  relayFamily?: 4 | 6,
): Promise<AllocationResult> {
  scope.phase = 'allocate';
  const { first, final } = await session.request(StunMethod.Allocate, () => [
    attr.requestedTransport(TRANSPORT_UDP),
    ...(relayFamily !== undefined ? [attr.requestedAddressFamily(relayFamily)] : []),
    ...(lifetime !== undefined ? [attr.lifetime(lifetime)] : []),
  ]);
  const m = final.msg;
  if (m.cls === StunClass.successResponse) {
    // A relay of another family than the one asked for is not an answer to this request.
    const relayed = relayedOf(m, relayFamily);
    if (!relayed) return { status: 'protocol-error', session, first, final };
    // The relay is on the server and the mapped address is ours as the server sees it: an address
    // neither can be (0.0.0.0, broadcast, multicast, port 0, loopback off this machine) is a wrong answer.
    const server = session.ch.remote.address;
    const problem =
      answerAddressProblem(relayed, server) ??
      (m.attrs.xorMappedAddress ? answerAddressProblem(m.attrs.xorMappedAddress, server) : null);
    return problem
      ? { status: 'bad-response', session, first, final, problem }
      : { status: 'allocated', session, first, final };
  }
  const code = m.attrs.errorCode?.code;
  if (code === ErrorCode.AddressFamilyNotSupported) return { status: 'family-unsupported', session, first, final };
  if (code === ErrorCode.Unauthorized) {
    if (!session.key)
      return {
        status: m.attrs.realm !== undefined && m.attrs.nonce !== undefined ? 'auth-required' : 'protocol-error',
        session,
        first,
        final,
      };
    return { status: 'auth-failed', session, first, final };
  }
  if (code === ErrorCode.WrongCredentials) return { status: 'auth-failed', session, first, final };
  return { status: 'turn-error', session, first, final };
}

/** The XOR-RELAYED-ADDRESS of the asked family; the first one when no family was asked (server's choice). */
function relayedOf(m: DecodedMessage, family: 4 | 6 | undefined): TransportAddress | undefined {
  if (family === undefined) return m.attrs.xorRelayedAddress?.[0];
  const want = family === 6 ? 'IPv6' : 'IPv4';
  return m.attrs.xorRelayedAddress?.find((a) => a.family === want);
}

export function fillAllocateEvidence(ev: AllocateEvidence, a: AllocationResult, relayFamily?: 4 | 6): void {
  const m = a.final.msg;
  ev.realm = a.session.realm ?? m.attrs.realm ?? a.first.msg.attrs.realm;
  ev.software = m.attrs.software ?? a.first.msg.attrs.software;
  ev.staleNonceRetries = a.session.staleNonceRetries;
  if (m.cls === StunClass.errorResponse) {
    ev.errorCode = errorOf(m).code;
    ev.errorReason = errorOf(m).reason;
    if (m.attrs.alternateServer) ev.alternateServer = formatAddress(m.attrs.alternateServer);
  } else {
    ev.relayed = relayedOf(m, relayFamily) ?? m.attrs.xorRelayedAddress?.[0];
    ev.mapped = m.attrs.xorMappedAddress;
    ev.lifetime = m.attrs.lifetime;
    ev.integrityVerified = a.session.key !== undefined && m.integrityOffset !== undefined;
  }
  if (a.problem) ev.badAnswer = a.problem;
  Object.assign(ev, strayEvidence(a.session.ch));
}

/**
 * TURN Allocate over UDP/TCP/TLS. Without credentials a 401 carrying REALM and NONCE proves the server is
 * reachable on this transport (pass, auth-required). With credentials: the long-term-credential exchange,
 * the relayed and mapped addresses and lifetime, then release with Refresh LIFETIME=0.
 */
export async function turnAllocate(
  endpoint: StunEndpoint,
  opts: TurnOptions = {},
): Promise<ProbeOutcome<AllocateEvidence>> {
  return sentence(await allocateProbe(endpoint, opts));
}

async function allocateProbe(endpoint: StunEndpoint, opts: TurnOptions): Promise<ProbeOutcome<AllocateEvidence>> {
  const scope = new ProbeScope(opts.deadlineMs ?? DEFAULT_DEADLINE_MS, opts.signal);
  const what = describeEndpoint(endpoint);
  const evidence: AllocateEvidence = {
    transport: endpoint.transport,
    server: formatAddress({ address: endpoint.host, port: endpoint.port }),
  };
  const creds =
    opts.username !== undefined && opts.credential !== undefined
      ? { username: opts.username, credential: opts.credential }
      : undefined;
  let ch: StunChannel | undefined;
  try {
    ch = await openChannel(scope, endpoint, opts);
    evidence.local = ch.local;
    if (ch.tlsInfo) evidence.tls = ch.tlsInfo;
    const session = new TurnSession(scope, ch, creds, opts.rtoMs, opts.software);
    if (opts.relayFamily !== undefined) evidence.relayFamily = opts.relayFamily;
    const a = await allocate(scope, session, opts.lifetime, opts.relayFamily);
    fillAllocateEvidence(evidence, a, opts.relayFamily);
    const rttMs = a.first.rttMs;
    switch (a.status) {
      case 'auth-required':
        return {
          status: 'pass',
          rttMs,
          reason: 'auth-required',
          detail: `${what} is reachable and asks for credentials (realm "${evidence.realm}").`,
          evidence,
        };
      case 'auth-failed':
        return {
          status: 'fail',
          rttMs,
          reason: 'auth-failed',
          detail: `${what} is reachable but refused the TURN username/credential.`,
          evidence,
        };
      case 'family-unsupported':
        return {
          status: 'fail',
          rttMs,
          reason: 'family-unsupported',
          detail: `${what} is reachable but does not relay IPv${opts.relayFamily ?? 4} (440 Address Family not Supported).`,
          evidence,
        };
      case 'turn-error': {
        const alt = evidence.alternateServer
          ? ` and named another server (${evidence.alternateServer}), which is not followed: only the profile's servers are tested`
          : '';
        return {
          status: 'fail',
          rttMs,
          reason: 'turn-error',
          detail:
            `${what} refused the allocation with error ${evidence.errorCode} ${evidence.errorReason ?? ''}`.trim() +
            `${alt}.`,
          evidence,
        };
      }
      case 'bad-response':
        if (opts.release !== false) evidence.released = await session.release();
        return {
          status: 'fail',
          rttMs,
          reason: 'bad-response',
          detail: `${what} answered the allocation wrongly: ${a.problem}.`,
          evidence,
        };
      case 'protocol-error':
        return {
          status: 'fail',
          rttMs,
          reason: 'protocol-error',
          detail: `${what} gave an answer that TURN does not allow (no realm/nonce, or no relayed address).`,
          evidence,
        };
      case 'allocated':
        if (opts.release !== false) evidence.released = await session.release();
        return {
          status: 'pass',
          rttMs,
          reason: 'allocated',
          detail: `${what} gave this computer a relay at ${formatAddress(evidence.relayed!)} (lifetime ${evidence.lifetime ?? '?'} s).`,
          evidence,
        };
    }
  } catch (e) {
    return failureOutcome(e, what, { ...evidence, ...strayEvidence(ch) });
  } finally {
    scope.dispose();
  }
}
