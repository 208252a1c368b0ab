import net from 'node:net';
import tls from 'node:tls';
import type { ProbeOptions, ProbeOutcome } from './types';
import { elapsedMs, startDeadline } from './deadline';
import { describeReason, errnoOf } from './errors';
import { ConnectError, openTcp, type TcpEvidence } from './tcp';
import { classifyTls, inspectTlsSocket, tlsSecureContext, type TlsInspection } from './tls-chain';
import { proxyAuthSentence, type ProxyEndpoint } from '../net/proxy';

export { classifyTls, describeChain, inspectTlsSocket, signerName, tlsSecureContext } from './tls-chain';
export type { ChainCert, TlsInspection } from './tls-chain';

/** Evidence of a TLS probe: the TCP part, then what the handshake showed. */
export interface TlsEvidence extends TcpEvidence, Omit<TlsInspection, 'checkedName'> {
  servername: string | null;
  tcpRttMs?: number;
  handshakeMs?: number;
  /** True when the profile supplied its own CA (trusted in addition to the system roots). */
  profileCa: boolean;
  stage: 'tcp' | 'handshake' | 'done';
}

export interface TlsOptions extends ProbeOptions {
  /** SNI and the name checked against the certificate; defaults to `host` (never sent for IPs). */
  servername?: string;
  /** PEM of the profile's private CA, trusted in addition to the system roots. */
  ca?: string;
  alpn?: string[];
  proxy?: ProxyEndpoint;
  /** For a host name: connect over this family only (A or AAAA). */
  family?: 4 | 6;
  /** An already-connected socket to run TLS over (ownership passes to the probe, which destroys it). */
  socket?: net.Socket;
}

/**
 * TLS reachability and inspection detection for host:port. Connects (directly, through the proxy's
 * CONNECT tunnel, or over `socket`), handshakes with `rejectUnauthorized:false` so the chain can be
 * recorded even when it is not trusted, then verifies it ourselves against system roots + the
 * profile CA and the hostname. An untrusted chain behind a working TCP connection means something
 * re-signs traffic: `tls-intercepted`, naming the issuer. A handshake that never completes is
 * `timeout`; an alert or reset is `tls-failed`. TCP failures keep their TCP reason. All sockets
 * are destroyed before returning.
 */
export async function tlsHandshake(host: string, port: number, opts: TlsOptions): Promise<ProbeOutcome<TlsEvidence>> {
  const start = performance.now();
  const dl = startDeadline(opts.deadlineMs, opts.signal);
  const checkedName = opts.servername ?? host;
  const target = `${host}:${port}`;
  const evidence: TlsEvidence = {
    host,
    port,
    via: opts.proxy ? 'proxy' : 'direct',
    servername: net.isIP(checkedName) ? null : checkedName,
    protocol: null,
    cipher: null,
    alpnProtocol: null,
    chain: [],
    authorized: false,
    authorizationError: null,
    hostnameError: null,
    profileCa: Boolean(opts.ca),
    stage: 'tcp',
  };
  let raw: net.Socket | undefined = opts.socket;
  try {
    if (!raw) {
      try {
        const tcp = await openTcp(host, port, {
          deadlineMs: opts.deadlineMs,
          signal: dl.signal,
          ...(opts.proxy ? { proxy: opts.proxy } : {}),
          ...(opts.family ? { family: opts.family } : {}),
        });
        raw = tcp.socket;
        Object.assign(evidence, tcp.evidence);
        evidence.tcpRttMs = tcp.rttMs;
      } catch (err) {
        if (!(err instanceof ConnectError)) throw err;
        Object.assign(evidence, err.evidence);
        const reason = err.reason === 'aborted' || err.reason === 'timeout' ? (dl.why() ?? err.reason) : err.reason;
        const what = opts.proxy ? `TCP (through the proxy) to ${target}` : `TCP to ${target}`;
        let detail = describeReason(reason, what, opts.deadlineMs);
        if (reason === 'proxy-auth-required') {
          detail = proxyAuthSentence(target, evidence.proxyAuth);
        } else if (reason === 'proxy-refused' || reason === 'proxy-failed') {
          detail = evidence.proxyStatusLine
            ? `The proxy ${evidence.proxy} refused to open a tunnel to ${target} (it answered “${evidence.proxyStatusLine}”).`
            : `The proxy ${evidence.proxy} could not be used to reach ${target}${evidence.errno ? ` (${evidence.errno})` : ''}.`;
        }
        return { status: 'fail', reason, detail, evidence };
      }
    }
    evidence.stage = 'handshake';
    const hsStart = performance.now();
    const sock = raw;
    const outcome = await new Promise<ProbeOutcome<TlsEvidence>>((resolve) => {
      const t = tls.connect({
        socket: sock,
        ...(evidence.servername ? { servername: evidence.servername } : {}),
        rejectUnauthorized: false,
        // Node folds its own hostname check into `authorized`; keep `authorized` about the chain
        // only (trust) and check the name ourselves, so the two failures stay distinguishable.
        checkServerIdentity: () => undefined,
        secureContext: tlsSecureContext(opts.ca),
        ...(opts.alpn && opts.alpn.length > 0 ? { ALPNProtocols: opts.alpn } : {}),
      });
      let done = false;
      const finish = (o: ProbeOutcome<TlsEvidence>): void => {
        if (done) return;
        done = true;
        dl.signal.removeEventListener('abort', onAbort);
        t.removeListener('error', onError);
        t.removeListener('close', onClose);
        t.on('error', () => undefined); // late errors after destroy are irrelevant
        t.destroy();
        sock.destroy();
        resolve(o);
      };
      const onAbort = (): void => {
        const why = dl.why() ?? 'aborted';
        finish({
          status: 'fail',
          reason: why,
          evidence,
          detail:
            why === 'timeout'
              ? `TCP to ${target} connects, but the TLS handshake did not finish within ${opts.deadlineMs} ms — something in the path holds TLS traffic.`
              : describeReason('aborted', `TLS to ${target}`),
        });
      };
      const onError = (e: Error): void => {
        const code = errnoOf(e);
        if (code !== undefined) evidence.errno = code;
        finish({
          status: 'fail',
          reason: 'tls-failed',
          evidence,
          detail: `TCP to ${target} connects, but the TLS handshake failed (${code ?? e.message}) — the server or a middlebox broke it off.`,
        });
      };
      const onClose = (): void => {
        finish({
          status: 'fail',
          reason: 'tls-failed',
          evidence,
          detail: `TCP to ${target} connects, but the connection was closed during the TLS handshake.`,
        });
      };
      if (dl.signal.aborted) {
        onAbort();
        return;
      }
      dl.signal.addEventListener('abort', onAbort, { once: true });
      t.on('error', onError);
      t.on('close', onClose);
      t.once('secureConnect', () => {
        evidence.handshakeMs = elapsedMs(hsStart);
        Object.assign(evidence, inspectTlsSocket(t, checkedName));
        delete (evidence as Partial<TlsEvidence> & { checkedName?: string }).checkedName;
        evidence.stage = 'done';
        const c = classifyTls(evidence, target);
        finish({
          status: c.status,
          reason: c.reason,
          detail: c.detail,
          evidence,
          rttMs: evidence.tcpRttMs ?? elapsedMs(start),
        });
      });
    });
    return outcome;
  } finally {
    dl.dispose();
    raw?.destroy();
  }
}
