/**
 * STUN transactions with our own retransmission schedule, and the Binding probe.
 * UDP: retransmit at RTO, 2·RTO, 4·RTO… until the probe's deadline (never RFC 8489's ~40 s default).
 * TCP/TLS: send once (the stream is reliable) and wait until the deadline.
 */
import type dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { encodeMessage, type DecodedMessage } from './codec';
import { attr, type ChangeRequestValue, type RawAttribute } from './attributes';
import { DEFAULT_DEADLINE_MS, DEFAULT_RTO_MS, StunClass, StunMethod } from './constants';
import { answerAddressProblem, formatAddress, type TransportAddress } from './address';
import {
  openStream,
  openUdp,
  ProbeError,
  probeErrorFrom,
  ProbeScope,
  resolveHost,
  type SocketAddress,
  type StunChannel,
  type Strays,
} from './transport';
import type { ProbeOptions, ProbeOutcome, StunEndpoint } from './types';
import { proxyAuthSentence } from '../net/proxy';
import { round1 } from '../probes/deadline';
import { REASON_TEXT } from '#common/report/reason';

export interface TransactionResult {
  msg: DecodedMessage;
  /** First send → matching response, ms, 0.1 ms precision. */
  rttMs: number;
  from: SocketAddress;
  /** How many times the request went out (1 + retransmissions). */
  attempts: number;
}

export interface TransactOptions {
  to?: SocketAddress;
  rtoMs?: number;
  /** A tighter limit than the scope's deadline (e.g. RFC 5780 filtering tests, where silence is an answer). */
  withinMs?: number;
}

/** Re-exported for turn.ts, relay-probe.ts and nat.ts: one rounding rule for every duration in the report. */
export { round1 };

function sameId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function newTransactionId(): Uint8Array {
  return new Uint8Array(randomBytes(12));
}

const strayCount = (s: Strays): number => s.wrongTransaction + s.undecodable;

/**
 * Sends `request` (encoded) and resolves with the response (success or error class) that matches its id.
 * When the time runs out and only answers to other transactions or undecodable bytes arrived meanwhile,
 * the server answered wrongly (`bad-response`): that is not a silent drop, and no firewall is to blame.
 */
export async function transact(
  scope: ProbeScope,
  ch: StunChannel,
  request: Uint8Array,
  opts: TransactOptions = {},
): Promise<TransactionResult> {
  const tid = request.subarray(8, 20);
  ch.own(tid);
  const before = { ...ch.strays };
  let attempts = 0;
  let t0 = 0;
  let stopResending = (): void => {};
  let unsubscribe = (): void => {};
  const answer = new Promise<TransactionResult>((resolve, reject) => {
    unsubscribe = ch.subscribe((m) => {
      if (m.kind === 'stun') {
        const c = m.msg.cls;
        if ((c === StunClass.successResponse || c === StunClass.errorResponse) && sameId(m.msg.transactionId, tid)) {
          resolve({ msg: m.msg, rttMs: round1(performance.now() - t0), from: m.from, attempts });
        }
      } else if (m.kind === 'malformed' && sameId(m.raw.subarray(8, 20), tid)) {
        reject(
          new ProbeError(
            'protocol-error',
            `the answer does not decode as STUN (${m.error.message})`,
            m.error.code,
            'response',
          ),
        );
      }
    }, reject);
    if (ch.fatal) {
      reject(ch.fatal);
      return;
    }
    const sendOnce = (): void => {
      attempts++;
      ch.send(request, opts.to).catch(reject);
    };
    t0 = performance.now();
    if (ch.kind === 'udp') stopResending = resendWithBackoff(sendOnce, opts.rtoMs ?? DEFAULT_RTO_MS);
    else sendOnce();
  });
  try {
    return await scope.race(answer, opts.withinMs);
  } catch (e) {
    const wrong = ch.strays.wrongTransaction - before.wrongTransaction;
    const garbage = ch.strays.undecodable - before.undecodable;
    if (e instanceof ProbeError && e.reason === 'timeout' && wrong + garbage > 0) {
      const what = [
        wrong ? `${wrong} answer${wrong === 1 ? '' : 's'} to transactions it was never asked` : '',
        garbage ? `${garbage} message${garbage === 1 ? '' : 's'} that ${garbage === 1 ? 'is' : 'are'} not STUN` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      throw new ProbeError(
        'bad-response',
        `no valid answer to our request (${attempts} sent), only ${what}`,
        wrong ? 'wrong-transaction' : 'undecodable',
        e.phase ?? scope.phase,
      );
    }
    throw e;
  } finally {
    unsubscribe();
    stopResending();
  }
}

/**
 * Calls `send` now and again after `rtoMs`, doubling the wait each time (RFC 8489 §6.2.1), until
 * the returned function is called.
 */
export function resendWithBackoff(send: () => void, rtoMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let rto = rtoMs;
  const schedule = (): void => {
    timer = setTimeout(() => {
      send();
      rto *= 2;
      schedule();
    }, rto);
  };
  send();
  schedule();
  return () => {
    if (timer) clearTimeout(timer);
  };
}

/** `{ strays }` for evidence when anything arrived that answered none of our requests. */
export function strayEvidence(ch: StunChannel | undefined): { strays?: Strays } {
  return ch && strayCount(ch.strays) > 0 ? { strays: { ...ch.strays } } : {};
}

/** Builds a request; `attrs` gets the transaction id for XOR-encoded attributes. */
export function buildRequest(
  method: number,
  attrs: (tid: Uint8Array) => RawAttribute[],
  software?: string,
): { tid: Uint8Array; bytes: Uint8Array } {
  const tid = newTransactionId();
  const list = attrs(tid);
  if (software) list.unshift(attr.software(software));
  return {
    tid,
    bytes: encodeMessage(
      { method, cls: StunClass.request, transactionId: tid, attributes: list },
      { fingerprint: true },
    ),
  };
}

/** Opens the channel a probe needs for `endpoint`, adopted by `scope`. */
export async function openChannel(
  scope: ProbeScope,
  endpoint: StunEndpoint,
  opts: ProbeOptions & { connectUdp?: boolean; socket?: dgram.Socket },
): Promise<StunChannel> {
  const address = await resolveHost(scope, endpoint.host, opts.family);
  const remote = { address, port: endpoint.port };
  if (endpoint.transport === 'udp') {
    return openUdp(scope, remote, {
      connect: opts.connectUdp ?? true,
      localAddress: opts.localAddress,
      socket: opts.socket,
    });
  }
  return openStream(scope, endpoint.transport, remote, endpoint.host, {
    localAddress: opts.localAddress,
    tls: opts.tls,
    proxy: opts.proxy,
  });
}

const DETAIL: Record<string, (what: string, e: ProbeError) => string> = {
  timeout: (w, e) =>
    `No answer from ${w} before the deadline (while ${e.phase ?? 'waiting'}); something on the way silently drops this traffic.`,
  refused: (w) => `${w} refused the connection: nothing is listening on that port, or a firewall rejects it.`,
  reset: (w) => `The connection to ${w} was cut off (reset), often by a firewall or proxy in between.`,
  unreachable: (w) => `${w} cannot be reached from this computer: there is no network route to it.`,
  'local-blocked': (w) => `This computer's own firewall blocked the traffic to ${w} before it left the machine.`,
  'tls-failed': (w, e) => `The secure (TLS) connection to ${w} failed: ${e.message}.`,
  'tls-intercepted': (_w, e) => e.message,
  'tls-hostname-mismatch': (_w, e) => e.message,
  'proxy-refused': (w, e) => `The proxy refused to open a tunnel to ${w} (${e.message}).`,
  'proxy-auth-required': (w, e) => proxyAuthSentence(w, e.proxyAuth),
  'proxy-failed': (w, e) => `The proxy could not be used to reach ${w} (${e.message}).`,
  'protocol-error': (w) => `${w} answered, but not with a valid STUN/TURN message.`,
  'bad-response': (w, e) =>
    `${w} answered wrongly (${e.message}): the traffic got through, but the server, or something posing as it, gave answers that cannot be right.`,
  aborted: () => 'The check was cancelled before it finished.',
};

/** The outcome for a failed probe: reason from the error, raw errno and phase in evidence. */
export function failureOutcome<E extends Record<string, unknown>>(
  err: unknown,
  what: string,
  evidence: E,
): ProbeOutcome<E & { errno?: string; phase?: string; error: string }> {
  const e = probeErrorFrom(err, 'probe');
  return {
    status: 'fail',
    reason: e.reason,
    detail: DETAIL[e.reason]?.(what, e) ?? REASON_TEXT[e.reason].sentence(what),
    evidence: {
      ...evidence,
      errno: e.errno,
      phase: e.phase,
      error: e.message,
      ...(e.proxyAuth ? { proxyAuth: e.proxyAuth } : {}),
    },
  };
}

/** Details are sentences: capital first letter (endpoint descriptions start with "the"). */
export function sentence<O extends { detail: string }>(o: O): O {
  return { ...o, detail: o.detail.charAt(0).toUpperCase() + o.detail.slice(1) };
}

export function describeEndpoint(ep: StunEndpoint): string {
  return `the ${ep.transport.toUpperCase()} server ${formatAddress({ address: ep.host, port: ep.port })}`;
}

export interface BindingOptions extends ProbeOptions {
  /** RFC 5780 §7.2: ask the server to answer from its other IP and/or port. UDP only. */
  changeRequest?: ChangeRequestValue;
  /** A bound UDP socket to reuse (RFC 5780 mapping tests); it is left open. */
  socket?: dgram.Socket;
}

export interface BindingEvidence extends Record<string, unknown> {
  transport: string;
  server: string;
  local?: SocketAddress;
  mapped?: TransportAddress;
  responseOrigin?: TransportAddress;
  otherAddress?: TransportAddress;
  software?: string;
  attempts?: number;
  tls?: Record<string, unknown>;
  errorCode?: number;
  errorReason?: string;
  /** A mapped address that cannot be right (`bad-response`); never reported as `mapped`. */
  claimedMapped?: TransportAddress;
  /** ALTERNATE-SERVER of a 300 answer: recorded, never followed (only the profile's servers are tested). */
  alternateServer?: string;
  strays?: Strays;
}

/** Runs one Binding transaction on an open channel; used by stunBinding and natBehavior. */
export async function bindingOn(
  scope: ProbeScope,
  ch: StunChannel,
  opts: TransactOptions & { changeRequest?: ChangeRequestValue; software?: string },
): Promise<TransactionResult> {
  const req = buildRequest(
    StunMethod.Binding,
    () => (opts.changeRequest ? [attr.changeRequest(opts.changeRequest)] : []),
    opts.software,
  );
  scope.phase = 'binding';
  return transact(scope, ch, req.bytes, opts);
}

/**
 * STUN Binding over UDP, TCP or TLS: the reflexive (XOR-MAPPED) address, the local address, the RTT and,
 * when the server has RFC 5780 support, OTHER-ADDRESS and RESPONSE-ORIGIN.
 */
export async function stunBinding(
  endpoint: StunEndpoint,
  opts: BindingOptions = {},
): Promise<ProbeOutcome<BindingEvidence>> {
  return sentence(await binding(endpoint, opts));
}

async function binding(endpoint: StunEndpoint, opts: BindingOptions): Promise<ProbeOutcome<BindingEvidence>> {
  const scope = new ProbeScope(opts.deadlineMs ?? DEFAULT_DEADLINE_MS, opts.signal);
  const what = describeEndpoint(endpoint);
  const evidence: BindingEvidence = {
    transport: endpoint.transport,
    server: formatAddress({ address: endpoint.host, port: endpoint.port }),
  };
  let ch: StunChannel | undefined;
  try {
    // A connected UDP socket surfaces ICMP "port unreachable" as ECONNREFUSED, but only hears its peer:
    // CHANGE-REQUEST answers come from elsewhere, so those use an unconnected socket.
    ch = await openChannel(scope, endpoint, { ...opts, connectUdp: !opts.changeRequest && !opts.socket });
    evidence.local = ch.local;
    if (ch.tlsInfo) evidence.tls = ch.tlsInfo;
    const r = await bindingOn(scope, ch, {
      rtoMs: opts.rtoMs,
      changeRequest: opts.changeRequest,
      software: opts.software,
    });
    const a = r.msg.attrs;
    evidence.attempts = r.attempts;
    evidence.software = a.software;
    evidence.responseOrigin = a.responseOrigin;
    evidence.otherAddress = a.otherAddress;
    Object.assign(evidence, strayEvidence(ch));
    if (r.msg.cls === StunClass.errorResponse) {
      evidence.errorCode = a.errorCode?.code;
      evidence.errorReason = a.errorCode?.reason;
      if (a.alternateServer) evidence.alternateServer = formatAddress(a.alternateServer);
      const alt = a.alternateServer
        ? ` and named another server (${evidence.alternateServer}), which is not followed: only the profile's servers are tested`
        : '';
      return {
        status: 'fail',
        rttMs: r.rttMs,
        reason: 'protocol-error',
        detail:
          `${what} answered the Binding request with error ${a.errorCode?.code ?? '?'} ${a.errorCode?.reason ?? ''}`.trim() +
          `${alt}.`,
        evidence,
      };
    }
    const mapped = a.xorMappedAddress ?? a.mappedAddress;
    if (!mapped) {
      return {
        status: 'fail',
        rttMs: r.rttMs,
        reason: 'protocol-error',
        detail: `${what} answered without telling our public address (no XOR-MAPPED-ADDRESS).`,
        evidence,
      };
    }
    const problem = answerAddressProblem(mapped, ch.remote.address);
    if (problem) {
      evidence.claimedMapped = mapped;
      return {
        status: 'fail',
        rttMs: r.rttMs,
        reason: 'bad-response',
        detail: `${what} answered wrongly: the public address it reports for this computer cannot be right (${problem}).`,
        evidence,
      };
    }
    evidence.mapped = mapped;
    return {
      status: 'pass',
      rttMs: r.rttMs,
      reason: 'ok',
      detail: `${what} answered in ${r.rttMs} ms; this computer is seen as ${formatAddress(mapped)}.`,
      evidence,
    };
  } catch (e) {
    return failureOutcome(e, what, { ...evidence, ...strayEvidence(ch) });
  } finally {
    scope.dispose();
  }
}
