/**
 * Hostile and broken servers written here, on loopback: silence, malformed answers, resets, stalled TLS
 * handshakes, aborts, and a scripted TURN server for 401 → 438 → success and error codes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { stunBinding } from '../../../../electron/node/stun/client';
import { turnAllocate } from '../../../../electron/node/stun/turn';
import { decodeMessage, encodeMessage, longTermKey, verifyIntegrity, type DecodedMessage } from '../../../../electron/node/stun/codec';
import { attr, type RawAttribute } from '../../../../electron/node/stun/attributes';
import { AttributeType, StunClass, StunMethod } from '../../../../electron/node/stun/constants';
import { probeErrorFrom } from '../../../../electron/node/stun/scope';
import { activeHandles, leaked, settle } from './leak-helpers';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A UDP server on 127.0.0.1; `reply` returns the bytes to send back (or nothing). */
async function udpServer(reply: (msg: DecodedMessage | null, raw: Buffer, n: number) => Uint8Array | void): Promise<{ port: number; received: () => number }> {
  const s = dgram.createSocket('udp4');
  let n = 0;
  s.on('message', (raw, rinfo) => {
    n++;
    let msg: DecodedMessage | null = null;
    try {
      msg = decodeMessage(new Uint8Array(raw));
    } catch {
      /* hostile server does not care */
    }
    const out = reply(msg, raw, n);
    if (out) s.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => s.close());
  return { port: s.address().port, received: () => n };
}

async function tcpServer(onConn: (sock: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((c) => {
    sockets.add(c);
    c.on('error', () => {});
    onConn(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    for (const c of sockets) c.destroy();
    srv.close();
  });
  return (srv.address() as net.AddressInfo).port;
}

const respond = (req: DecodedMessage, cls: StunClass, attrs: (tid: Uint8Array) => RawAttribute[], key?: Uint8Array): Uint8Array =>
  encodeMessage({ method: req.method, cls, transactionId: req.transactionId, attributes: attrs(req.transactionId) }, { integrityKey: key, fingerprint: true });

const SLACK_MS = 1500; // shared 2-core machine: assert "within deadline + slack", never tight timings

describe('hostile servers', () => {
  it('UDP server that never answers: timeout within the deadline, retransmitted on our schedule', async () => {
    const srv = await udpServer(() => undefined);
    const t0 = performance.now();
    const r = await stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 800, rtoMs: 100 });
    const took = performance.now() - t0;
    expect(r).toMatchObject({ status: 'fail', reason: 'timeout', evidence: { phase: 'binding' } });
    expect(r.detail).toMatch(/No answer/);
    expect(took).toBeGreaterThanOrEqual(790);
    expect(took).toBeLessThan(800 + SLACK_MS);
    // sends at 0, 100, 300, 700 ms (RTO doubling); timers may slip on a busy machine
    expect(srv.received()).toBeGreaterThanOrEqual(3);
    expect(srv.received()).toBeLessThanOrEqual(5);
  });

  it('lost requests are retransmitted and the RTT runs from the first send', async () => {
    const srv = await udpServer((m, _raw, n) =>
      m && n >= 3 ? respond(m, StunClass.successResponse, (tid) => [attr.xorMappedAddress({ family: 'IPv4', address: '127.0.0.1', port: 1 }, tid)]) : undefined,
    );
    const r = await stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 3000, rtoMs: 100 });
    expect(r.status).toBe('pass');
    expect(r.evidence.attempts).toBe(3);
    expect(r.rttMs).toBeGreaterThanOrEqual(290);
    expect(Number.isInteger(r.rttMs! * 10)).toBe(true); // 0.1 ms precision
  });

  it.each([
    ['an XOR-MAPPED-ADDRESS with family 3', (tid: Uint8Array) => [{ type: AttributeType.XOR_MAPPED_ADDRESS, value: Uint8Array.of(0, 3, 0, 0, ...tid.subarray(0, 4)) }], 'bad-attribute'],
    ['an ERROR-CODE of class 9', () => [{ type: AttributeType.ERROR_CODE, value: Uint8Array.of(0, 0, 9, 1) }], 'bad-attribute'],
  ])('answer with %s → protocol-error', async (_name, attrs, code) => {
    const srv = await udpServer((m) => (m ? respond(m, StunClass.successResponse, attrs as (t: Uint8Array) => RawAttribute[]) : undefined));
    const r = await stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 1000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'protocol-error', evidence: { errno: code } });
  });

  it('answer whose attribute claims more bytes than the message holds (oversized) → protocol-error', async () => {
    const srv = await udpServer((m) => {
      if (!m) return;
      const b = respond(m, StunClass.successResponse, () => [attr.software('x'.repeat(8))]);
      b[22] = 0xff; // SOFTWARE length 0xff08: far past the end
      return b;
    });
    const r = await stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 1000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'protocol-error', evidence: { errno: 'bad-length' } });
  });

  it('garbage and answers to other transactions are ignored (→ timeout, not a crash)', async () => {
    const srv = await udpServer((m, _raw, n) => {
      if (!m) return;
      if (n % 2) return Uint8Array.of(1, 2, 3, 4, 5);
      return encodeMessage({ method: 1, cls: StunClass.successResponse, transactionId: new Uint8Array(12).fill(9), attributes: [] });
    });
    const r = await stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 600, rtoMs: 50 });
    expect(r.reason).toBe('timeout');
    expect(srv.received()).toBeGreaterThanOrEqual(3);
  });

  it('TCP peer that resets the connection → reset', async () => {
    const port = await tcpServer((c) => c.once('data', () => c.resetAndDestroy()));
    const r = await stunBinding({ host: '127.0.0.1', port, transport: 'tcp' }, { deadlineMs: 2000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'reset', evidence: { errno: 'ECONNRESET' } });
  });

  it('closed TCP port → refused; closed UDP port (connected socket, ICMP) → refused', async () => {
    const port = await tcpServer(() => {});
    cleanups.pop()!(); // close it again: now nothing listens there
    const r = await stunBinding({ host: '127.0.0.1', port, transport: 'tcp' }, { deadlineMs: 2000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'refused', evidence: { errno: 'ECONNREFUSED', phase: 'connect' } });
    const u = await udpServer(() => undefined);
    cleanups.pop()!();
    const ru = await stunBinding({ host: '127.0.0.1', port: u.port, transport: 'udp' }, { deadlineMs: 2000, rtoMs: 100 });
    expect(ru).toMatchObject({ status: 'fail', reason: 'refused', evidence: { errno: 'ECONNREFUSED' } });
  });

  it('TLS server that accepts TCP but never finishes the handshake → timeout in tls-handshake', async () => {
    const port = await tcpServer(() => {}); // reads the ClientHello, answers nothing
    const t0 = performance.now();
    const r = await turnAllocate({ host: '127.0.0.1', port, transport: 'tls' }, { deadlineMs: 700 });
    expect(r).toMatchObject({ status: 'fail', reason: 'timeout', evidence: { phase: 'tls-handshake' } });
    expect(performance.now() - t0).toBeLessThan(700 + SLACK_MS);
  });

  it('a plain-TCP peer answering HTTP to TLS → tls-failed', async () => {
    const port = await tcpServer((c) => c.once('data', () => c.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const r = await turnAllocate({ host: '127.0.0.1', port, transport: 'tls' }, { deadlineMs: 2000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'tls-failed' });
  });

  it('abort mid-transaction → aborted promptly, every socket closed', async () => {
    await settle();
    const before = activeHandles();
    const srv = await udpServer(() => undefined);
    const tcpPort = await tcpServer(() => {});
    const ac = new AbortController();
    const t0 = performance.now();
    const probes = [
      stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 10_000, signal: ac.signal }),
      turnAllocate({ host: '127.0.0.1', port: tcpPort, transport: 'tcp' }, { deadlineMs: 10_000, signal: ac.signal }),
      turnAllocate({ host: '127.0.0.1', port: tcpPort, transport: 'tls' }, { deadlineMs: 10_000, signal: ac.signal }),
    ];
    setTimeout(() => ac.abort(), 150);
    const outs = await Promise.all(probes);
    const took = performance.now() - t0;
    for (const o of outs) expect(o).toMatchObject({ status: 'fail', reason: 'aborted' });
    expect(took).toBeLessThan(150 + SLACK_MS);
    while (cleanups.length) cleanups.pop()!();
    await settle();
    expect(leaked(before)).toBeNull();
    // an already-aborted signal never opens anything
    const pre = await stunBinding({ host: '127.0.0.1', port: 9, transport: 'udp' }, { signal: AbortSignal.abort() });
    expect(pre.reason).toBe('aborted');
  });

  it('IPv6 loopback: Binding over udp6 and tcp6 to ::1 gives an IPv6 mapped address', async () => {
    const s = dgram.createSocket('udp6');
    s.on('message', (raw, rinfo) => {
      const m = decodeMessage(new Uint8Array(raw));
      s.send(respond(m, StunClass.successResponse, (tid) => [attr.xorMappedAddress({ family: 'IPv6', address: rinfo.address, port: rinfo.port }, tid)]), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => s.bind(0, '::1', () => r()));
    cleanups.push(() => s.close());
    const r = await stunBinding({ host: '::1', port: s.address().port, transport: 'udp' }, { deadlineMs: 2000 });
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence.mapped).toEqual({ family: 'IPv6', address: '::1', port: r.evidence.local!.port });
    expect(r.evidence.server).toBe(`[::1]:${s.address().port}`);
  });

  it('socket errors map to reasons, keeping the raw errno', () => {
    const cases: Array<[string, string]> = [
      ['EPERM', 'local-blocked'], // local nftables drop: UDP send fails at once
      ['EACCES', 'local-blocked'],
      ['EHOSTUNREACH', 'unreachable'],
      ['ENETUNREACH', 'unreachable'],
      ['ECONNREFUSED', 'refused'],
      ['ECONNRESET', 'reset'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-failed'],
    ];
    for (const [code, reason] of cases) {
      const e = probeErrorFrom(Object.assign(new Error(code), { code }), 'send');
      expect([e.reason, e.errno]).toEqual([reason, code]);
    }
  });
});

describe('scripted TURN server', () => {
  const key = longTermKey('u', 'fake', 'p');

  it('REQUESTED-ADDRESS-FAMILY is sent only when asked; a relay of the other family is no answer to it', async () => {
    const asked: Array<number | undefined> = [];
    const srv = await udpServer((m) => {
      if (!m) return;
      if (m.integrityOffset === undefined) return respond(m, StunClass.errorResponse, () => [attr.errorCode(401, 'Unauthorized'), attr.realm('fake'), attr.nonce('n')]);
      if (m.method !== StunMethod.Allocate) return respond(m, StunClass.successResponse, () => [attr.lifetime(0)], key);
      asked.push(m.attrs.requestedAddressFamily);
      return respond(m, StunClass.successResponse, (tid) => [
        attr.xorRelayedAddress({ family: 'IPv4', address: '198.51.100.9', port: 50000 }, tid),
        attr.xorMappedAddress({ family: 'IPv4', address: '198.51.100.7', port: 4242 }, tid),
      ], key);
    });
    const ep = { host: '127.0.0.1', port: srv.port, transport: 'udp' } as const;
    expect(await turnAllocate(ep, { username: 'u', credential: 'p', deadlineMs: 2000 })).toMatchObject({ status: 'pass', reason: 'allocated' });
    expect(await turnAllocate(ep, { username: 'u', credential: 'p', deadlineMs: 2000, relayFamily: 6 })).toMatchObject({ status: 'fail', reason: 'protocol-error', evidence: { relayFamily: 6 } });
    expect(asked).toEqual([undefined, 0x02]);
  });

  it('401 → long-term credentials → 438 stale nonce → allocated (signed) → released', async () => {
    const seen: string[] = [];
    let nonce = 0;
    const srv = await udpServer((m) => {
      if (!m) return;
      const signed = m.integrityOffset !== undefined;
      seen.push(`${m.method}:${signed ? (verifyIntegrity(m, key) ? 'ok' : 'bad') : 'none'}:${m.attrs.nonce ?? ''}`);
      if (!signed) return respond(m, StunClass.errorResponse, () => [attr.errorCode(401, 'Unauthorized'), attr.realm('fake'), attr.nonce(`n${++nonce}`)]);
      if (m.attrs.nonce === 'n1') return respond(m, StunClass.errorResponse, () => [attr.errorCode(438, 'Stale Nonce'), attr.realm('fake'), attr.nonce(`n${++nonce}`)]);
      if (m.method === StunMethod.Allocate) {
        return respond(
          m,
          StunClass.successResponse,
          (tid) => [
            attr.xorRelayedAddress({ family: 'IPv6', address: '2001:db8::7', port: 50000 }, tid),
            attr.xorMappedAddress({ family: 'IPv4', address: '198.51.100.7', port: 4242 }, tid),
            attr.lifetime(300),
          ],
          key,
        );
      }
      return respond(m, StunClass.successResponse, () => [attr.lifetime(0)], key);
    });
    const r = await turnAllocate({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { username: 'u', credential: 'p', deadlineMs: 2000 });
    expect(r).toMatchObject({
      status: 'pass',
      reason: 'allocated',
      evidence: {
        realm: 'fake',
        relayed: { family: 'IPv6', address: '2001:db8::7', port: 50000 },
        mapped: { address: '198.51.100.7', port: 4242 },
        lifetime: 300,
        staleNonceRetries: 1,
        integrityVerified: true,
        released: true,
      },
    });
    expect(seen).toEqual(['3:none:', '3:ok:n1', '3:ok:n2', '4:ok:n2']);
  });

  it('other error codes → turn-error with code and reason phrase', async () => {
    const srv = await udpServer((m) => (m ? respond(m, StunClass.errorResponse, () => [attr.errorCode(486, 'Allocation Quota Reached')]) : undefined));
    const r = await turnAllocate({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 2000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'turn-error', evidence: { errorCode: 486, errorReason: 'Allocation Quota Reached' } });
    expect(r.detail).toMatch(/486 Allocation Quota Reached/);
  });

  it('401 without REALM/NONCE is not TURN → protocol-error; a response signed with another key → protocol-error', async () => {
    const bare = await udpServer((m) => (m ? respond(m, StunClass.errorResponse, () => [attr.errorCode(401, 'Unauthorized')]) : undefined));
    expect((await turnAllocate({ host: '127.0.0.1', port: bare.port, transport: 'udp' })).reason).toBe('protocol-error');
    const forged = await udpServer((m) => {
      if (!m) return;
      if (m.integrityOffset === undefined) return respond(m, StunClass.errorResponse, () => [attr.errorCode(401, 'Unauthorized'), attr.realm('fake'), attr.nonce('n')]);
      return respond(m, StunClass.successResponse, (tid) => [attr.xorRelayedAddress({ family: 'IPv4', address: '192.0.2.1', port: 1 }, tid)], longTermKey('u', 'fake', 'other'));
    });
    const r = await turnAllocate({ host: '127.0.0.1', port: forged.port, transport: 'udp' }, { username: 'u', credential: 'p' });
    expect(r).toMatchObject({ status: 'fail', reason: 'protocol-error', evidence: { errno: 'integrity' } });
  });
});
