import { answerCallback } from '../net/heard';
import net from 'node:net';
import type { ProbeOptions, ProbeOutcome } from './types';
import { elapsedMs, startDeadline } from './deadline';
import type { Reason } from '#common/report/reason';
import { describeReason, errnoOf, reasonForErrno } from './errors';
import { openTunnel, proxyAuthSentence, ProxyError, type ProxyAuthChallenge, type ProxyEndpoint } from '../net/proxy';

/** Evidence of a TCP connect; `errno` is the raw code (ECONNREFUSED, EPERM, ...). */
export interface TcpEvidence extends Record<string, unknown> {
  host: string;
  port: number;
  via: 'direct' | 'proxy';
  proxy?: string;
  proxyStatus?: number;
  proxyStatusLine?: string;
  remoteAddress?: string;
  localAddress?: string;
  localPort?: number;
  errno?: string;
  /** For `proxy-auth-required`: which proxy asked, for which schemes, and whether credentials were sent. */
  proxyAuth?: ProxyAuthChallenge;
}

export interface TcpOptions extends ProbeOptions {
  proxy?: ProxyEndpoint;
  /** For a host name: connect over this family only (A or AAAA). IP literals carry their own. */
  family?: 4 | 6;
}

/** A failed connect, carrying the probe reason and the evidence gathered so far. */
export class ConnectError extends Error {
  constructor(
    readonly reason: Reason,
    readonly evidence: TcpEvidence,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

/**
 * Opens a TCP connection (directly, or through an HTTP CONNECT tunnel when `proxy` is set) and
 * returns the live socket; TLS and TURN-TCP build on it. The caller owns the socket afterwards.
 * Rejects with ConnectError (socket already destroyed) on failure, timeout or abort.
 */
export async function openTcp(
  host: string,
  port: number,
  opts: TcpOptions,
): Promise<{ socket: net.Socket; rttMs: number; evidence: TcpEvidence }> {
  const start = performance.now();
  const evidence: TcpEvidence = { host, port, via: opts.proxy ? 'proxy' : 'direct' };
  if (opts.proxy) {
    evidence.proxy = `${opts.proxy.host}:${opts.proxy.port}`;
    try {
      const socket = await openTunnel(opts.proxy, { host, port }, opts);
      fillAddresses(evidence, socket);
      return { socket, rttMs: elapsedMs(start), evidence };
    } catch (err) {
      if (!(err instanceof ProxyError)) throw err;
      if (err.status !== undefined) evidence.proxyStatus = err.status;
      if (err.statusLine !== undefined) evidence.proxyStatusLine = err.statusLine;
      if (err.errno !== undefined) evidence.errno = err.errno;
      if (err.challenge !== undefined) evidence.proxyAuth = err.challenge;
      throw new ConnectError(err.reason, evidence, err.message);
    }
  }
  const dl = startDeadline(opts.deadlineMs, opts.signal);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, ...(opts.family ? { family: opts.family } : {}) });
    const heard = answerCallback();
    let done = false;
    const cleanup = (): void => {
      done = true;
      dl.signal.removeEventListener('abort', onAbort);
      dl.dispose();
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
    };
    const onAbort = (): void => {
      if (done) return;
      cleanup();
      socket.destroy();
      const why = dl.why() ?? 'aborted';
      reject(new ConnectError(why, evidence, why));
    };
    const onError = (e: Error): void => {
      if (done) return;
      cleanup();
      socket.destroy();
      const code = errnoOf(e);
      if (code !== undefined) evidence.errno = code;
      reject(new ConnectError(reasonForErrno(code), evidence, e.message));
    };
    const onConnect = (): void => {
      if (done) return;
      heard();
      cleanup();
      fillAddresses(evidence, socket);
      resolve({ socket, rttMs: elapsedMs(start), evidence });
    };
    if (dl.signal.aborted) {
      onAbort();
      return;
    }
    dl.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

function fillAddresses(evidence: TcpEvidence, socket: net.Socket): void {
  if (socket.remoteAddress) evidence.remoteAddress = socket.remoteAddress;
  if (socket.localAddress) evidence.localAddress = socket.localAddress;
  if (socket.localPort) evidence.localPort = socket.localPort;
}

/**
 * TCP reachability of host:port. rttMs is the connect time (SYN → SYN/ACK, or the whole CONNECT
 * tunnel setup through a proxy). Reasons: refused (RST), reset, unreachable, local-blocked
 * (EPERM/EACCES from a local REJECT — a local nftables DROP of TCP usually just hangs, so it
 * shows as `timeout`, as does a far-side drop), timeout, aborted, proxy-refused/proxy-failed.
 * The socket is always destroyed before returning.
 */
export async function tcpConnect(host: string, port: number, opts: TcpOptions): Promise<ProbeOutcome<TcpEvidence>> {
  const target = `${opts.proxy ? 'TCP (through the proxy)' : 'TCP'} to ${host}:${port}`;
  try {
    const { socket, rttMs, evidence } = await openTcp(host, port, opts);
    socket.destroy();
    return { status: 'pass', rttMs, reason: 'ok', detail: `${target} connects in ${Math.round(rttMs)} ms.`, evidence };
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    let detail = describeReason(err.reason, target, opts.deadlineMs);
    if (err.reason === 'proxy-auth-required') {
      detail = proxyAuthSentence(`${host}:${port}`, err.evidence.proxyAuth);
    } else if (err.reason === 'proxy-refused' || err.reason === 'proxy-failed') {
      detail = err.evidence.proxyStatusLine
        ? `The proxy ${err.evidence.proxy} refused to open a tunnel to ${host}:${port} (it answered “${err.evidence.proxyStatusLine}”).`
        : `The proxy ${err.evidence.proxy} could not be used to reach ${host}:${port}${err.evidence.errno ? ` (${err.evidence.errno})` : ''}.`;
    }
    return { status: 'fail', reason: err.reason, detail, evidence: err.evidence };
  }
}
