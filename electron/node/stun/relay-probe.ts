/**
 * The relay probe (RFC 8656): proves one high UDP port on the TURN server is reachable from this
 * computer without a reflector, over an allocation of ./turn.ts's session.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { attr } from './attributes';
import { DEFAULT_DEADLINE_MS, ErrorCode, StunClass, StunMethod } from './constants';
import { destinationProblem, formatAddress } from './address';
import {
  describeEndpoint,
  failureOutcome,
  openChannel,
  resendWithBackoff,
  round1,
  sentence,
  strayEvidence,
} from './client';
import { openUdp, ProbeError, ProbeScope, type StunChannel } from './transport';
import {
  allocate,
  errorOf,
  fillAllocateEvidence,
  TurnSession,
  type AllocateEvidence,
  type TurnCredentials,
  type TurnOptions,
} from './turn';
import type { ProbeOutcome, StunEndpoint } from './types';

export interface RelayProbeEvidence extends AllocateEvidence {
  step?: 'allocate' | 'permission' | 'relay';
  provenPort?: number;
  direction?: 'client-to-relayed-port';
  peer?: { address: string; port: number };
  relayRttMs?: number;
  datagramsSent?: number;
  /** A relayed address Pathcheck did not send to, and why. */
  refusedDestination?: string;
}

/**
 * Proves that UDP from this computer reaches a high (relayed) port on the TURN server, without a reflector.
 *
 * Direction: a second local UDP socket sends a datagram *to* the relayed address:port, and the server hands
 * it back to us as a Data indication on the TURN socket. That is the direction firewalls filter
 * ("udp dport 10000-60000" outbound), and the one media takes towards an SFU. The reverse (Send indication,
 * relay → our socket) would only prove that replies come back through a pinhole we opened ourselves.
 * CreatePermission is for our own reflexive IP (from the Allocate's XOR-MAPPED-ADDRESS): permissions
 * match the IP only (RFC 8656 §9), so it covers the second socket behind the same NAT.
 */
export async function turnRelayProbe(
  endpoint: StunEndpoint,
  creds: TurnCredentials,
  opts: Omit<TurnOptions, 'username' | 'credential'> = {},
): Promise<ProbeOutcome<RelayProbeEvidence>> {
  return sentence(await relayProbe(endpoint, creds, opts));
}

async function relayProbe(
  endpoint: StunEndpoint,
  creds: TurnCredentials,
  opts: Omit<TurnOptions, 'username' | 'credential'>,
): Promise<ProbeOutcome<RelayProbeEvidence>> {
  const scope = new ProbeScope(opts.deadlineMs ?? DEFAULT_DEADLINE_MS, opts.signal);
  const what = describeEndpoint(endpoint);
  const evidence: RelayProbeEvidence = {
    transport: endpoint.transport,
    server: formatAddress({ address: endpoint.host, port: endpoint.port }),
    step: 'allocate',
  };
  let session: TurnSession | undefined;
  try {
    const ch = await openChannel(scope, endpoint, opts);
    evidence.local = ch.local;
    session = new TurnSession(scope, ch, creds, opts.rtoMs, opts.software);
    if (opts.relayFamily !== undefined) evidence.relayFamily = opts.relayFamily;
    const a = await allocate(scope, session, opts.lifetime, opts.relayFamily);
    fillAllocateEvidence(evidence, a, opts.relayFamily);
    if (a.status !== 'allocated') {
      const reason = a.status === 'auth-required' ? 'auth-failed' : a.status;
      if (a.status === 'bad-response') evidence.released = await session.release();
      const why = a.problem ? `: ${a.problem}` : '';
      return {
        status: 'fail',
        rttMs: a.first.rttMs,
        reason,
        detail: `${what} did not give a relay (${reason}${evidence.errorCode ? ` ${evidence.errorCode}` : ''}${why}), so no high port could be tested.`,
        evidence,
      };
    }
    const relayed = evidence.relayed!;
    const mapped = evidence.mapped;
    if (!mapped)
      throw new ProbeError('protocol-error', 'the Allocate answer has no XOR-MAPPED-ADDRESS', undefined, 'allocate');
    // The relayed address is where the second socket sends: the server's own address, or inside the
    // ranges the profile gives for this provider, and never a special-purpose address.
    const refused = destinationProblem(relayed, ch.remote.address, opts.trusted);
    if (refused) {
      evidence.refusedDestination = refused.message;
      evidence.released = await session.release();
      // A special-purpose relay cannot be right; one merely outside the profile's ranges may be, but
      // the profile does not vouch for it, so the high port is left untested rather than probed.
      if (refused.kind === 'special') {
        return {
          status: 'fail',
          rttMs: a.first.rttMs,
          reason: 'bad-response',
          detail: `${what} offered a relay at ${formatAddress(relayed)}, where Pathcheck does not send: ${refused.message}.`,
          evidence,
        };
      }
      return {
        status: 'skipped',
        rttMs: a.first.rttMs,
        reason: 'untrusted-relay',
        detail: `${what} gave a relay at ${formatAddress(relayed)}, which was not tested: ${refused.message}. Add the provider's relay addresses to the profile's "addresses" to test its high ports.`,
        evidence,
      };
    }

    evidence.step = 'permission';
    scope.phase = 'create-permission';
    const perm = await session.request(StunMethod.CreatePermission, (tid) => [
      attr.xorPeerAddress({ ...mapped, port: 0 }, tid),
    ]);
    if (perm.final.msg.cls === StunClass.errorResponse) {
      const { code, reason } = errorOf(perm.final.msg);
      evidence.errorCode = code;
      evidence.errorReason = reason;
      evidence.released = await session.release();
      if (code === ErrorCode.Forbidden) {
        return {
          status: 'fail',
          rttMs: a.first.rttMs,
          reason: 'permission-denied',
          detail: `${what} refused to relay to this computer's address (403 Forbidden): a server-side setting.`,
          evidence,
        };
      }
      return {
        status: 'fail',
        rttMs: a.first.rttMs,
        reason: 'turn-error',
        detail: `${what} refused the permission with error ${code} ${reason ?? ''}`.trim() + '.',
        evidence,
      };
    }

    evidence.step = 'relay';
    scope.phase = 'relay';
    const peer = await openUdp(
      scope,
      { address: relayed.address, port: relayed.port },
      { connect: true, localAddress: opts.localAddress },
    );
    evidence.peer = peer.local;
    const token = new Uint8Array(randomBytes(16));
    const got = await relayRoundTrip(scope, ch, peer, token, opts.rtoMs ?? 250);
    evidence.datagramsSent = got.sent;
    evidence.relayRttMs = got.rttMs;
    evidence.provenPort = relayed.port;
    evidence.direction = 'client-to-relayed-port';
    evidence.released = await session.release();
    return {
      status: 'pass',
      rttMs: a.first.rttMs,
      reason: 'ok',
      detail: `UDP from this computer reached the TURN server's high port ${relayed.port} (${formatAddress(relayed)}) and came back through the relay.`,
      evidence,
    };
  } catch (e) {
    if (session && !scope.cancelled && evidence.relayed && evidence.released === undefined)
      evidence.released = await session.release();
    return failureOutcome(
      e,
      evidence.step === 'relay' ? `the relayed port ${evidence.relayed?.port ?? '?'} of ${what}` : what,
      { ...evidence, ...strayEvidence(session?.ch) },
    );
  } finally {
    scope.dispose();
  }
}

/** Sends `token` from `peer` to the relayed port (re-sent at RTO doubling) until a Data indication carries it. */
async function relayRoundTrip(
  scope: ProbeScope,
  turn: StunChannel,
  peer: StunChannel,
  token: Uint8Array,
  rtoMs: number,
): Promise<{ sent: number; rttMs: number }> {
  const same = (d: Uint8Array): boolean => d.length === token.length && d.every((b, i) => b === token[i]);
  let sent = 0;
  let stopResending = (): void => {};
  let unsubscribe = (): void => {};
  const t0 = performance.now();
  const done = new Promise<{ sent: number; rttMs: number }>((resolve, reject) => {
    unsubscribe = turn.subscribe((m) => {
      const data =
        m.kind === 'stun' && m.msg.method === StunMethod.Data && m.msg.cls === StunClass.indication
          ? m.msg.attrs.data
          : m.kind === 'channel-data'
            ? m.data
            : undefined;
      if (data && same(data)) resolve({ sent, rttMs: round1(performance.now() - t0) });
    }, reject);
    stopResending = resendWithBackoff(() => {
      sent++;
      peer.send(token).catch(reject);
    }, rtoMs);
  });
  try {
    // keep part of the budget so the allocation can still be released after a silent relay
    return await scope.race(done, Math.max(scope.remainingMs() - 500, scope.remainingMs() * 0.7));
  } finally {
    unsubscribe();
    stopResending();
  }
}
