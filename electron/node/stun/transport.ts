/**
 * Sockets for STUN/TURN probes: UDP (node:dgram), TCP (node:net), TLS (node:tls). Everything a probe
 * opens is adopted by a ProbeScope (scope.ts), which closes every socket on every path.
 */
import { answerCallback } from '../net/heard';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { lookup } from 'node:dns/promises';
export { ProbeError, ProbeScope, probeErrorFrom } from './scope';
import { decodeMessage, StreamFramer, type DecodedMessage } from './codec';
import { StunClass } from './constants';
import { StunDecodeError } from './errors';
import { ProbeError, probeErrorFrom, type ProbeScope } from './scope';
import type { StunTransport, TlsProbeOptions } from './types';
import { openTunnel, ProxyError, type ProxyEndpoint } from '../net/proxy';
import { classifyTls, inspectTlsSocket, tlsSecureContext } from '../probes/tls-chain';

export interface SocketAddress {
  address: string;
  port: number;
}

export type Incoming =
  | { kind: 'stun'; msg: DecodedMessage; from: SocketAddress }
  | { kind: 'channel-data'; channel: number; data: Uint8Array; from: SocketAddress }
  /** Bytes that look like STUN (magic cookie) but do not decode: the transaction id may still match. */
  | { kind: 'malformed'; raw: Uint8Array; error: StunDecodeError; from: SocketAddress }
  /** Bytes too short or too broken to name any transaction. */
  | { kind: 'junk'; raw: Uint8Array; from: SocketAddress };

/** What arrived that answered none of our requests (see {@link StunChannel.strays}). */
export interface Strays {
  /** Well-formed responses to transaction ids this channel never sent. */
  wrongTransaction: number;
  /** Datagrams or frames that do not decode as STUN. */
  undecodable: number;
}

/** Transaction ids a channel remembers, so a late answer to an earlier request is not a stray. */
const OWN_IDS_KEPT = 64;
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** One socket speaking STUN, whatever the transport. Listeners get decoded messages and fatal errors. */
export class StunChannel {
  private readonly listeners = new Set<(m: Incoming) => void>();
  private readonly errorListeners = new Set<(e: ProbeError) => void>();
  fatal: ProbeError | undefined;
  /** TLS details (chain, authorized) when kind === 'tls'. */
  tlsInfo: Record<string, unknown> | undefined;
  /**
   * Counted for every message that arrives: a server (or something on the path) that only sends
   * answers to other transactions or garbage has answered wrongly, which is not a silent drop.
   */
  readonly strays: Strays = { wrongTransaction: 0, undecodable: 0 };
  private readonly ownIds = new Set<string>();
  private closed = false;

  constructor(
    readonly kind: StunTransport,
    readonly local: SocketAddress,
    readonly remote: SocketAddress,
    private readonly sendImpl: (b: Uint8Array, to: SocketAddress) => Promise<void>,
    private readonly closeImpl: () => void,
  ) {}

  send(bytes: Uint8Array, to: SocketAddress = this.remote): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new ProbeError('aborted', 'socket already closed'));
    return this.sendImpl(bytes, to).catch((e: unknown) => {
      throw probeErrorFrom(e, 'send');
    });
  }

  subscribe(onMessage: (m: Incoming) => void, onError?: (e: ProbeError) => void): () => void {
    this.listeners.add(onMessage);
    if (onError) this.errorListeners.add(onError);
    return () => {
      this.listeners.delete(onMessage);
      if (onError) this.errorListeners.delete(onError);
    };
  }

  /** Records a transaction id sent on this channel; answers to it are never strays. */
  own(tid: Uint8Array): void {
    this.ownIds.add(hex(tid));
    if (this.ownIds.size > OWN_IDS_KEPT) this.ownIds.delete(this.ownIds.values().next().value!);
  }

  /** @internal transports call these */
  emit(m: Incoming): void {
    if (m.kind === 'junk') this.strays.undecodable++;
    else if (m.kind === 'malformed' && !this.ownIds.has(hex(m.raw.subarray(8, 20)))) this.strays.undecodable++;
    else if (
      m.kind === 'stun' &&
      (m.msg.cls === StunClass.successResponse || m.msg.cls === StunClass.errorResponse) &&
      !this.ownIds.has(hex(m.msg.transactionId))
    ) {
      this.strays.wrongTransaction++;
    }
    for (const l of [...this.listeners]) l(m);
  }

  fail(e: ProbeError): void {
    if (this.fatal) return;
    this.fatal = e;
    for (const l of [...this.errorListeners]) l(e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeImpl();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

function decodeDatagram(ch: StunChannel, data: Uint8Array, from: SocketAddress): void {
  if (data.length >= 4 && data[0]! >= 0x40 && data[0]! <= 0x4f) {
    const len = (data[2]! << 8) | data[3]!;
    if (4 + len <= data.length)
      ch.emit({ kind: 'channel-data', channel: (data[0]! << 8) | data[1]!, data: data.subarray(4, 4 + len), from });
    return;
  }
  let msg: DecodedMessage;
  try {
    msg = decodeMessage(data);
  } catch (e) {
    if (e instanceof StunDecodeError && data.length >= 20) ch.emit({ kind: 'malformed', raw: data, error: e, from });
    // Anything shorter is not addressed to a transaction (RFC 8489 §6.3): no transaction fails on it,
    // but it is counted, so a flood of it is not mistaken for silence.
    else ch.emit({ kind: 'junk', raw: data, from });
    return;
  }
  ch.emit({ kind: 'stun', msg, from });
}

export async function resolveHost(scope: ProbeScope, host: string, family?: 4 | 6): Promise<string> {
  if (net.isIP(host)) return host;
  scope.phase = 'dns';
  try {
    const r = await scope.race(lookup(host, family ? { family } : {}));
    return r.address;
  } catch (e) {
    throw probeErrorFrom(e, 'dns');
  }
}

export interface UdpOptions {
  /** Connect the socket to `remote` so ICMP errors surface as ECONNREFUSED (only replies from `remote` then arrive). */
  connect?: boolean;
  localAddress?: string;
  /** Reuse a caller's bound socket (RFC 5780 tests); it is not closed, only our listeners removed. */
  socket?: dgram.Socket;
}

/** Opens (or wraps) a UDP socket towards `remote`. The scope closes it. */
export async function openUdp(scope: ProbeScope, remote: SocketAddress, opts: UdpOptions = {}): Promise<StunChannel> {
  const own = !opts.socket;
  const sock = opts.socket ?? dgram.createSocket({ type: net.isIPv6(remote.address) ? 'udp6' : 'udp4' });
  // eslint-disable-next-line prefer-const -- assigned once below, but the handlers above close over it first
  let ch: StunChannel | undefined;
  const heard = answerCallback();
  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    heard();
    if (ch)
      decodeDatagram(ch, new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
        address: rinfo.address,
        port: rinfo.port,
      });
  };
  const onError = (e: Error): void => ch?.fail(probeErrorFrom(e, 'recv'));
  const detach = (): void => {
    sock.off('message', onMessage);
    sock.off('error', onError);
    if (own) {
      try {
        sock.close();
      } catch {
        /* already closed */
      }
    }
  };
  sock.on('error', onError);
  sock.on('message', onMessage);
  const unadopt = scope.adopt(detach);
  scope.phase = 'bind';
  if (own) {
    await scope.race(
      new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind({ port: 0, address: opts.localAddress }, () => {
          sock.off('error', reject);
          resolve();
        });
      }),
    );
  }
  const connected = own && opts.connect === true;
  if (connected) {
    scope.phase = 'connect';
    await scope.race(
      new Promise<void>((resolve, reject) =>
        sock.connect(remote.port, remote.address, (err?: Error) =>
          err ? reject(probeErrorFrom(err, 'connect')) : resolve(),
        ),
      ),
    );
  }
  const a = sock.address();
  ch = new StunChannel(
    'udp',
    { address: a.address, port: a.port },
    remote,
    (b, to) =>
      new Promise<void>((resolve, reject) => {
        const cb = (err: Error | null): void => (err ? reject(err) : resolve());
        if (connected) sock.send(b, cb);
        else sock.send(b, to.port, to.address, cb);
      }),
    () => {
      unadopt();
      detach();
    },
  );
  return ch;
}

export interface StreamOptions {
  localAddress?: string;
  tls?: TlsProbeOptions;
  /** Reach the server through this HTTP proxy's CONNECT tunnel. */
  proxy?: ProxyEndpoint;
}

/** Connects TCP (or TLS over TCP) to `remote`, framing STUN/ChannelData by the header (RFC 8489 §6.2.2). */
export async function openStream(
  scope: ProbeScope,
  kind: 'tcp' | 'tls',
  remote: SocketAddress,
  host: string,
  opts: StreamOptions = {},
): Promise<StunChannel> {
  let tcp = new net.Socket();
  let sock: net.Socket = tcp;
  // eslint-disable-next-line prefer-const -- assigned once below, but the handlers above close over it first
  let ch: StunChannel | undefined;
  const closeAll = (): void => {
    sock.destroy();
    tcp.destroy();
  };
  const unadopt = scope.adopt(closeAll);
  if (opts.proxy) {
    // Through the proxy: CONNECT host:port, then STUN/TLS over the tunnel (the proxy resolves the name).
    scope.phase = 'proxy-connect';
    tcp.destroy();
    const stop = new AbortController();
    const unadoptStop = scope.adopt(() => stop.abort());
    try {
      tcp = await scope.race(
        openTunnel(
          opts.proxy,
          { host, port: remote.port },
          { deadlineMs: Math.max(1, scope.remainingMs()), signal: stop.signal },
        ),
      );
    } catch (e) {
      if (e instanceof ProxyError)
        throw new ProbeError(
          e.reason,
          e.statusLine ?? e.message,
          e.errno ?? (e.status ? String(e.status) : undefined),
          'proxy-connect',
          e.challenge,
        );
      throw e;
    } finally {
      unadoptStop();
    }
    sock = tcp;
  } else {
    scope.phase = 'tcp-connect';
    await scope.race(
      new Promise<void>((resolve, reject) => {
        tcp.once('error', (e) => reject(probeErrorFrom(e, 'connect')));
        const heard = answerCallback();
        tcp.connect({ host: remote.address, port: remote.port, localAddress: opts.localAddress }, () => {
          heard();
          resolve();
        });
      }),
    );
  }
  tcp.removeAllListeners('error');
  tcp.on('error', () => {}); // under TLS, errors surface on the TLS socket; never let the raw one throw
  let tlsInfo: Record<string, unknown> | undefined;
  if (kind === 'tls') {
    scope.phase = 'tls-handshake';
    const t = opts.tls ?? {};
    const name = t.servername ?? host;
    const servername = net.isIP(name) ? undefined : name; // SNI never carries an IP (RFC 6066 §3)
    // Handshake whatever the chain, then judge it ourselves with the same rules as every other TLS
    // check (system roots + the stack's CA; an untrusted chain behind a working TCP = interception).
    const secure = tls.connect({
      socket: tcp,
      servername,
      secureContext: tlsSecureContext(t.ca),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    sock = secure;
    await scope.race(
      new Promise<void>((resolve, reject) => {
        secure.once('error', (e) => reject(probeErrorFrom(e, 'tls')));
        secure.once('secureConnect', () => resolve());
      }),
    );
    secure.removeAllListeners('error');
    const inspection = inspectTlsSocket(secure, name);
    tlsInfo = { ...inspection, via: opts.proxy ? 'proxy' : 'direct' };
    if (t.rejectUnauthorized !== false) {
      const verdict = classifyTls(inspection, `${host}:${remote.port}`);
      if (verdict.status === 'fail' && verdict.reason !== 'ok')
        throw new ProbeError(
          verdict.reason,
          verdict.detail,
          inspection.authorizationError ?? undefined,
          'tls-handshake',
        );
    }
  }
  const framer = new StreamFramer();
  const from = remote;
  sock.on('data', (chunk: Buffer) => {
    if (!ch) return;
    let frames;
    try {
      frames = framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      ch.fail(probeErrorFrom(e, 'recv'));
      sock.destroy();
      return;
    }
    for (const f of frames) {
      if (f.kind === 'channel-data') ch.emit({ kind: 'channel-data', channel: f.channel, data: f.data, from });
      else decodeDatagram(ch, f.bytes, from);
    }
  });
  sock.on('error', (e) => ch?.fail(probeErrorFrom(e, 'recv')));
  sock.on('end', () => ch?.fail(new ProbeError('protocol-error', 'the server closed the connection', 'EOF', 'recv')));
  sock.on('close', () => ch?.fail(new ProbeError('reset', 'the connection was closed', undefined, 'recv')));
  ch = new StunChannel(
    kind,
    { address: sock.localAddress ?? '', port: sock.localPort ?? 0 },
    remote,
    (b) =>
      new Promise<void>((resolve, reject) => {
        sock.write(b, (err?: Error | null) => (err ? reject(err) : resolve()));
      }),
    () => {
      unadopt();
      closeAll();
    },
  );
  ch.tlsInfo = tlsInfo;
  return ch;
}
