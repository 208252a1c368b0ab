/**
 * Hostile and broken servers written here, on loopback: silence, malformed answers, resets, stalled TLS
 * handshakes, aborts, and a scripted TURN server for 401 → 438 → success and error codes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { stunBinding } from '#node/stun/client';
import { natBehavior } from '#node/stun/nat';
import { turnRelayProbe } from '#node/stun/relay-probe';
import { turnAllocate } from '#node/stun/turn';
import { natCheck } from '#node/engine/stun-checks';
import { toCheck } from '#node/engine/outcome';
import { decodeMessage, encodeMessage, longTermKey, verifyIntegrity, type DecodedMessage } from '#node/stun/codec';
import { attr, type RawAttribute } from '#node/stun/attributes';
import { AttributeType, StunClass, StunMethod } from '#node/stun/constants';
import { probeErrorFrom } from '#node/stun/scope';
import { activeHandles, leaked, settle } from './leak-helpers';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A UDP server on 127.0.0.1; `reply` returns the bytes to send back (or nothing). */
async function udpServer(
  reply: (msg: DecodedMessage | null, raw: Buffer, n: number) => Uint8Array | void,
): Promise<{ port: number; received: () => number }> {
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

const respond = (
  req: DecodedMessage,
  cls: StunClass,
  attrs: (tid: Uint8Array) => RawAttribute[],
  key?: Uint8Array,
): Uint8Array =>
  encodeMessage(
    { method: req.method, cls, transactionId: req.transactionId, attributes: attrs(req.transactionId) },
    { integrityKey: key, fingerprint: true },
  );

const SLACK_MS = 1500; // shared 2-core machine: assert "within deadline + slack", never tight timings

describe('hostile servers', () => {
  it('UDP server that never answers: timeout within the deadline, retransmitted on our schedule', async () => {
    const srv = await udpServer(() => undefined);
    const t0 = performance.now();
    const r = await stunBinding(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { deadlineMs: 800, rtoMs: 100 },
    );
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
      m && n >= 3
        ? respond(m, StunClass.successResponse, (tid) => [
            attr.xorMappedAddress({ family: 'IPv4', address: '127.0.0.1', port: 1 }, tid),
          ])
        : undefined,
    );
    const r = await stunBinding(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { deadlineMs: 3000, rtoMs: 100 },
    );
    expect(r.status).toBe('pass');
    expect(r.evidence.attempts).toBe(3);
    expect(r.rttMs).toBeGreaterThanOrEqual(290);
    expect(Number.isInteger(r.rttMs! * 10)).toBe(true); // 0.1 ms precision
  });

  it.each([
    [
      'an XOR-MAPPED-ADDRESS with family 3',
      (tid: Uint8Array) => [
        { type: AttributeType.XOR_MAPPED_ADDRESS, value: Uint8Array.of(0, 3, 0, 0, ...tid.subarray(0, 4)) },
      ],
      'bad-attribute',
    ],
    [
      'an ERROR-CODE of class 9',
      () => [{ type: AttributeType.ERROR_CODE, value: Uint8Array.of(0, 0, 9, 1) }],
      'bad-attribute',
    ],
  ])('answer with %s → protocol-error', async (_name, attrs, code) => {
    const srv = await udpServer((m) =>
      m ? respond(m, StunClass.successResponse, attrs as (t: Uint8Array) => RawAttribute[]) : undefined,
    );
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

  it('only garbage and answers to other transactions: the server answered wrongly (bad-response, counted), not a silent drop', async () => {
    const srv = await udpServer((m, _raw, n) => {
      if (!m) return;
      if (n % 2) return Uint8Array.of(1, 2, 3, 4, 5);
      return encodeMessage({
        method: 1,
        cls: StunClass.successResponse,
        transactionId: new Uint8Array(12).fill(9),
        attributes: [],
      });
    });
    const r = await stunBinding(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { deadlineMs: 600, rtoMs: 50 },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response', evidence: { errno: 'wrong-transaction' } });
    expect(r.evidence.strays!.wrongTransaction).toBeGreaterThanOrEqual(1);
    expect(r.evidence.strays!.undecodable).toBeGreaterThanOrEqual(1);
    expect(r.detail).toMatch(/answered wrongly/);
    expect(r.detail).not.toMatch(/silently drops/);
    expect(srv.received()).toBeGreaterThanOrEqual(3);
  });

  it('a flood of bytes that are not STUN is bad-response (undecodable), not a timeout', async () => {
    const s = dgram.createSocket('udp4');
    s.on('message', (_raw, rinfo) => {
      for (let i = 0; i < 50; i++) s.send(Buffer.from(`junk ${i} `.repeat(1 + (i % 7))), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    cleanups.push(() => s.close());
    const r = await stunBinding(
      { host: '127.0.0.1', port: s.address().port, transport: 'udp' },
      { deadlineMs: 500, rtoMs: 100 },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response', evidence: { errno: 'undecodable' } });
    expect(r.evidence.strays!.undecodable).toBeGreaterThanOrEqual(50);
  });

  it('a valid answer among garbage still passes, with the garbage counted in evidence', async () => {
    const s = dgram.createSocket('udp4');
    s.on('message', (raw, rinfo) => {
      const m = decodeMessage(new Uint8Array(raw));
      s.send(Uint8Array.of(9, 9, 9), rinfo.port, rinfo.address);
      s.send(
        encodeMessage({
          method: 1,
          cls: StunClass.successResponse,
          transactionId: new Uint8Array(12).fill(7),
          attributes: [],
        }),
        rinfo.port,
        rinfo.address,
      );
      setTimeout(
        () =>
          s.send(
            respond(m, StunClass.successResponse, (tid) => [
              attr.xorMappedAddress({ family: 'IPv4', address: rinfo.address, port: rinfo.port }, tid),
            ]),
            rinfo.port,
            rinfo.address,
          ),
        30,
      );
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    cleanups.push(() => s.close());
    const r = await stunBinding(
      { host: '127.0.0.1', port: s.address().port, transport: 'udp' },
      { deadlineMs: 2000, rtoMs: 1000 },
    );
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence.strays).toEqual({ wrongTransaction: 1, undecodable: 1 });
  });

  it('a late copy of the answer to an earlier request of ours is not a stray: silence afterwards is still a timeout', async () => {
    let first: Uint8Array | undefined;
    const srv = await udpServer((m) => {
      if (!m) return;
      if (m.integrityOffset === undefined)
        return (first = respond(m, StunClass.errorResponse, () => [
          attr.errorCode(401, 'Unauthorized'),
          attr.realm('fake'),
          attr.nonce('n'),
        ]));
      return first; // the signed request only ever gets the old 401 again (a duplicate on the path)
    });
    const r = await turnAllocate(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { username: 'u', credential: 'p', deadlineMs: 600, rtoMs: 100 },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(r.evidence.strays).toBeUndefined();
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
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'refused',
      evidence: { errno: 'ECONNREFUSED', phase: 'connect' },
    });
    const u = await udpServer(() => undefined);
    cleanups.pop()!();
    const ru = await stunBinding(
      { host: '127.0.0.1', port: u.port, transport: 'udp' },
      { deadlineMs: 2000, rtoMs: 100 },
    );
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
      s.send(
        respond(m, StunClass.successResponse, (tid) => [
          attr.xorMappedAddress({ family: 'IPv6', address: rinfo.address, port: rinfo.port }, tid),
        ]),
        rinfo.port,
        rinfo.address,
      );
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
      // The same map as the DNS/TCP probes: a name that does not exist is nxdomain, not unreachable.
      ['ENOTFOUND', 'nxdomain'],
      ['EAI_AGAIN', 'dns-failed'],
      ['ESOMETHINGNEW', 'protocol-error'],
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
      if (m.integrityOffset === undefined)
        return respond(m, StunClass.errorResponse, () => [
          attr.errorCode(401, 'Unauthorized'),
          attr.realm('fake'),
          attr.nonce('n'),
        ]);
      if (m.method !== StunMethod.Allocate) return respond(m, StunClass.successResponse, () => [attr.lifetime(0)], key);
      asked.push(m.attrs.requestedAddressFamily);
      return respond(
        m,
        StunClass.successResponse,
        (tid) => [
          attr.xorRelayedAddress({ family: 'IPv4', address: '198.51.100.9', port: 50000 }, tid),
          attr.xorMappedAddress({ family: 'IPv4', address: '198.51.100.7', port: 4242 }, tid),
        ],
        key,
      );
    });
    const ep = { host: '127.0.0.1', port: srv.port, transport: 'udp' } as const;
    expect(await turnAllocate(ep, { username: 'u', credential: 'p', deadlineMs: 2000 })).toMatchObject({
      status: 'pass',
      reason: 'allocated',
    });
    expect(await turnAllocate(ep, { username: 'u', credential: 'p', deadlineMs: 2000, relayFamily: 6 })).toMatchObject({
      status: 'fail',
      reason: 'protocol-error',
      evidence: { relayFamily: 6 },
    });
    expect(asked).toEqual([undefined, 0x02]);
  });

  it('401 → long-term credentials → 438 stale nonce → allocated (signed) → released', async () => {
    const seen: string[] = [];
    let nonce = 0;
    const srv = await udpServer((m) => {
      if (!m) return;
      const signed = m.integrityOffset !== undefined;
      seen.push(`${m.method}:${signed ? (verifyIntegrity(m, key) ? 'ok' : 'bad') : 'none'}:${m.attrs.nonce ?? ''}`);
      if (!signed)
        return respond(m, StunClass.errorResponse, () => [
          attr.errorCode(401, 'Unauthorized'),
          attr.realm('fake'),
          attr.nonce(`n${++nonce}`),
        ]);
      if (m.attrs.nonce === 'n1')
        return respond(m, StunClass.errorResponse, () => [
          attr.errorCode(438, 'Stale Nonce'),
          attr.realm('fake'),
          attr.nonce(`n${++nonce}`),
        ]);
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
    const r = await turnAllocate(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { username: 'u', credential: 'p', deadlineMs: 2000 },
    );
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
    const srv = await udpServer((m) =>
      m ? respond(m, StunClass.errorResponse, () => [attr.errorCode(486, 'Allocation Quota Reached')]) : undefined,
    );
    const r = await turnAllocate({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 2000 });
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'turn-error',
      evidence: { errorCode: 486, errorReason: 'Allocation Quota Reached' },
    });
    expect(r.detail).toMatch(/486 Allocation Quota Reached/);
  });

  it('401 without REALM/NONCE is not TURN → protocol-error; a response signed with another key → protocol-error', async () => {
    const bare = await udpServer((m) =>
      m ? respond(m, StunClass.errorResponse, () => [attr.errorCode(401, 'Unauthorized')]) : undefined,
    );
    expect((await turnAllocate({ host: '127.0.0.1', port: bare.port, transport: 'udp' })).reason).toBe(
      'protocol-error',
    );
    const forged = await udpServer((m) => {
      if (!m) return;
      if (m.integrityOffset === undefined)
        return respond(m, StunClass.errorResponse, () => [
          attr.errorCode(401, 'Unauthorized'),
          attr.realm('fake'),
          attr.nonce('n'),
        ]);
      return respond(
        m,
        StunClass.successResponse,
        (tid) => [attr.xorRelayedAddress({ family: 'IPv4', address: '192.0.2.1', port: 1 }, tid)],
        longTermKey('u', 'fake', 'other'),
      );
    });
    const r = await turnAllocate(
      { host: '127.0.0.1', port: forged.port, transport: 'udp' },
      { username: 'u', credential: 'p' },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'protocol-error', evidence: { errno: 'integrity' } });
  });
});

describe('answers that cannot be right are not believed (bad-response)', () => {
  const mappedAnswer =
    (
      mapped: { family: 'IPv4' | 'IPv6'; address: string; port: number },
      extra: (tid: Uint8Array) => RawAttribute[] = () => [],
    ) =>
    (m: DecodedMessage | null) =>
      m
        ? respond(m, StunClass.successResponse, (tid) => [attr.xorMappedAddress(mapped, tid), ...extra(tid)])
        : undefined;

  it.each([
    ['0.0.0.0:0 (unspecified, port 0)', { family: 'IPv4' as const, address: '0.0.0.0', port: 0 }],
    ['0.0.0.0:4000 (unspecified)', { family: 'IPv4' as const, address: '0.0.0.0', port: 4000 }],
    ['255.255.255.255 (broadcast)', { family: 'IPv4' as const, address: '255.255.255.255', port: 4000 }],
    ['224.0.0.1 (multicast)', { family: 'IPv4' as const, address: '224.0.0.1', port: 4000 }],
    ['ff02::1 (IPv6 multicast)', { family: 'IPv6' as const, address: 'ff02::1', port: 4000 }],
    [':: (IPv6 unspecified)', { family: 'IPv6' as const, address: '::', port: 4000 }],
    ['198.51.100.7:0 (port 0)', { family: 'IPv4' as const, address: '198.51.100.7', port: 0 }],
  ])('Binding answered with XOR-MAPPED %s → fail, bad-response, no mapped address recorded', async (_name, mapped) => {
    const srv = await udpServer(mappedAnswer(mapped));
    const r = await stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 1000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response', evidence: { claimedMapped: mapped } });
    expect(r.evidence.mapped).toBeUndefined();
    expect(r.detail).toMatch(/answered wrongly/);
  });

  it('a loopback mapped address from a server on loopback is right (the test coturn sees us there)', async () => {
    const srv = await udpServer(mappedAnswer({ family: 'IPv4', address: '127.0.0.1', port: 4000 }));
    const r = await stunBinding({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 1000 });
    expect(r).toMatchObject({ status: 'pass', evidence: { mapped: { address: '127.0.0.1', port: 4000 } } });
  });

  it('NAT discovery told 255.255.255.255: fails bad-response and records no public address (nor does the engine)', async () => {
    const srv = await udpServer(mappedAnswer({ family: 'IPv4', address: '255.255.255.255', port: 4000 }));
    const r = await natBehavior({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 1500 });
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response' });
    expect(r.evidence.publicAddress).toBeUndefined();
    const { outcome, nat } = await natCheck('127.0.0.1', srv.port, {
      deadlineMs: 1500,
      signal: new AbortController().signal,
    });
    expect(outcome.reason).toBe('bad-response');
    expect(nat.publicAddress).toBeNull();
    // …and the check it becomes names no blocking layer: the server answered, nothing dropped it.
    expect(
      toCheck({ id: 'nat:x:1', kind: 'nat', transport: 'udp', host: 'x', port: 1 }, outcome, 1).layer,
    ).toBeUndefined();
  });

  it('NAT discovery never probes an OTHER-ADDRESS the server points at 0.0.0.0 (it reaches this machine): method single, noted', async () => {
    const other = await udpServer(() => undefined);
    const srv = await udpServer((m) =>
      m
        ? respond(m, StunClass.successResponse, (tid) => [
            attr.xorMappedAddress({ family: 'IPv4', address: '127.0.0.1', port: 4000 }, tid),
            attr.otherAddress({ family: 'IPv4', address: '0.0.0.0', port: other.port }),
          ])
        : undefined,
    );
    const r = await natBehavior(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { deadlineMs: 3000, filterTimeoutMs: 300, rtoMs: 100 },
    );
    expect(r.evidence.method).toBe('single');
    expect(r.evidence.otherAddressRefused).toMatch(/unspecified/);
    expect(r.evidence.tests.map((t) => t.to)).toEqual([`127.0.0.1:${srv.port}`]);
    expect(other.received()).toBe(0);
    expect(r.detail).toMatch(/does not probe/);
  });

  it('TURN Allocate answered with XOR-RELAYED 0.0.0.0:0 → bad-response (not "allocated"), and the allocation is released', async () => {
    const methods: number[] = [];
    const srv = await udpServer((m) => {
      if (!m) return;
      methods.push(m.method);
      if (m.method === StunMethod.Allocate) {
        return respond(m, StunClass.successResponse, (tid) => [
          attr.xorRelayedAddress({ family: 'IPv4', address: '0.0.0.0', port: 0 }, tid),
          attr.xorMappedAddress({ family: 'IPv4', address: '127.0.0.1', port: 4000 }, tid),
          attr.lifetime(600),
        ]);
      }
      return respond(m, StunClass.successResponse, () => [attr.lifetime(0)]);
    });
    const r = await turnAllocate({ host: '127.0.0.1', port: srv.port, transport: 'udp' }, { deadlineMs: 2000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response', evidence: { released: true } });
    expect(r.evidence.badAnswer).toMatch(/0\.0\.0\.0:0/);
    expect(methods).toEqual([StunMethod.Allocate, StunMethod.Refresh]);
  });

  it('TURN Allocate whose mapped address is multicast → bad-response', async () => {
    const srv = await udpServer((m) =>
      m
        ? respond(m, StunClass.successResponse, (tid) => [
            attr.xorRelayedAddress({ family: 'IPv4', address: '127.0.0.1', port: 50000 }, tid),
            attr.xorMappedAddress({ family: 'IPv4', address: '239.1.2.3', port: 4000 }, tid),
          ])
        : undefined,
    );
    const r = await turnAllocate(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { deadlineMs: 2000, release: false },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response' });
    expect(r.evidence.badAnswer).toMatch(/multicast/);
  });

  /** A signing TURN server whose Allocate answers `relayed`; records the methods it was asked. */
  async function relayServer(relayed: {
    family: 'IPv4';
    address: string;
    port: number;
  }): Promise<{ port: number; methods: number[] }> {
    const key = longTermKey('u', 'fake', 'p');
    const methods: number[] = [];
    const srv = await udpServer((m) => {
      if (!m) return;
      methods.push(m.method);
      if (m.integrityOffset === undefined)
        return respond(m, StunClass.errorResponse, () => [
          attr.errorCode(401, 'Unauthorized'),
          attr.realm('fake'),
          attr.nonce('n'),
        ]);
      if (m.method === StunMethod.Allocate) {
        return respond(
          m,
          StunClass.successResponse,
          (tid) => [
            attr.xorRelayedAddress(relayed, tid),
            attr.xorMappedAddress({ family: 'IPv4', address: '127.0.0.1', port: 4000 }, tid),
            attr.lifetime(600),
          ],
          key,
        );
      }
      return respond(m, StunClass.successResponse, () => [attr.lifetime(0)], key);
    });
    return { port: srv.port, methods };
  }

  it('a relay offered at a special-purpose address is never sent to: no permission asked, bad-response, released', async () => {
    const srv = await relayServer({ family: 'IPv4', address: '169.254.169.254', port: 80 });
    const r = await turnRelayProbe(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { username: 'u', credential: 'p' },
      { deadlineMs: 2000 },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response', evidence: { released: true, step: 'allocate' } });
    expect(r.evidence.refusedDestination).toMatch(/link-local/);
    expect(r.evidence.peer).toBeUndefined();
    expect(srv.methods).not.toContain(StunMethod.CreatePermission);
  });

  it("a relay outside the profile's ranges (and not the server) is left untested, saying how to vouch for it", async () => {
    const srv = await relayServer({ family: 'IPv4', address: '8.8.8.8', port: 50000 });
    const r = await turnRelayProbe(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { username: 'u', credential: 'p' },
      { deadlineMs: 2000, trusted: ['10.77.2.0/24'] },
    );
    expect(r).toMatchObject({
      status: 'skipped',
      reason: 'untrusted-relay',
      evidence: { released: true, step: 'allocate' },
    });
    expect(r.detail).toMatch(/not tested.*"addresses"/);
    expect(r.evidence.peer).toBeUndefined();
    expect(srv.methods).not.toContain(StunMethod.CreatePermission);
  });

  it('an unsigned success to an authenticated Allocate is not believed → bad-response, not "allocated"', async () => {
    const srv = await udpServer((m) => {
      if (!m) return;
      if (m.integrityOffset === undefined)
        return respond(m, StunClass.errorResponse, () => [
          attr.errorCode(401, 'Unauthorized'),
          attr.realm('fake'),
          attr.nonce('n'),
        ]);
      return respond(m, StunClass.successResponse, (tid) => [
        attr.xorRelayedAddress({ family: 'IPv4', address: '127.0.0.1', port: 50000 }, tid),
        attr.xorMappedAddress({ family: 'IPv4', address: '127.0.0.1', port: 4000 }, tid),
      ]);
    });
    const r = await turnAllocate(
      { host: '127.0.0.1', port: srv.port, transport: 'udp' },
      { username: 'u', credential: 'p', deadlineMs: 2000 },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'bad-response', evidence: { errno: 'integrity-missing' } });
  });

  it.each(['binding', 'allocate'] as const)(
    '300 Try Alternate on %s: ALTERNATE-SERVER is recorded and never followed',
    async (kind) => {
      const alternate = await udpServer(() => undefined);
      const srv = await udpServer((m) =>
        m
          ? respond(m, StunClass.errorResponse, () => [
              attr.errorCode(300, 'Try Alternate'),
              attr.alternateServer({ family: 'IPv4', address: '127.0.0.1', port: alternate.port }),
            ])
          : undefined,
      );
      const ep = { host: '127.0.0.1', port: srv.port, transport: 'udp' as const };
      const r =
        kind === 'binding' ? await stunBinding(ep, { deadlineMs: 1000 }) : await turnAllocate(ep, { deadlineMs: 1000 });
      expect(r.status).toBe('fail');
      expect(r.evidence.alternateServer).toBe(`127.0.0.1:${alternate.port}`);
      expect(r.detail).toMatch(/not followed/);
      await new Promise((res) => setTimeout(res, 100));
      expect(alternate.received()).toBe(0);
    },
  );
});
