/**
 * Against a real coturn on loopback (started here, random ports, test CA from openssl).
 * Flags that work with coturn 4.6.1: -n, --listening-ip 127.0.0.1 [--listening-ip 127.0.0.2 for RFC 5780],
 * --relay-ip 127.0.0.1, -p/--alt-listening-port/--tls-listening-port/--alt-tls-listening-port,
 * --min-port/--max-port, --realm lab --user u:p -a, --cert/--pkey, --no-cli --no-dtls,
 * --log-file stdout --simple-log, --pidfile/--userdb in a temp dir, --allow-loopback-peers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { startCoturn, type Coturn } from './coturn-harness';
import { stunBinding } from '#node/stun/client';
import { turnRelayProbe } from '#node/stun/relay-probe';
import { turnAllocate } from '#node/stun/turn';
import { natBehavior } from '#node/stun/nat';
import type { StunTransport } from '#node/stun/types';
import { activeHandles, leaked, settle } from './leak-helpers';

const skip = missingPrereqs('stun coturn', [prereqs.coturn, prereqs.openssl]);
const rtts: Record<string, number[]> = {};
const note = (k: string, v?: number) => {
  if (v !== undefined) (rtts[k] ??= []).push(v);
};

describe.skipIf(skip)('STUN/TURN against a real coturn on loopback', () => {
  let main: Coturn; // two addresses (RFC 5780), loopback peers allowed
  let strict: Coturn; // one address, loopback peers denied (coturn's default)
  const ep = (transport: StunTransport, port?: number) => ({
    host: '127.0.0.1',
    port: port ?? (transport === 'tls' ? main.tlsPort : main.port),
    transport,
  });
  const tls = () => ({ ca: main.caPem });

  beforeAll(async () => {
    [main, strict] = await Promise.all([startCoturn({ rfc5780: true, allowLoopbackPeers: true }), startCoturn({})]);
  });
  afterAll(async () => {
    await Promise.all([main?.stop(), strict?.stop()]);
    console.info('[coturn rtt ms]', JSON.stringify(rtts));
  });

  it.each(['udp', 'tcp', 'tls'] as const)(
    'STUN Binding over %s gives the mapped address (== local on loopback)',
    async (t) => {
      const r = await stunBinding(ep(t), { tls: tls(), deadlineMs: 3000 });
      note(`binding-${t}`, r.rttMs);
      expect(r.status, r.detail).toBe('pass');
      expect(r.reason).toBe('ok');
      expect(r.evidence.mapped).toEqual({ family: 'IPv4', address: '127.0.0.1', port: r.evidence.local!.port });
      // coturn's alternate port per listener: alt-listening-port for UDP/TCP, alt-tls-listening-port for TLS
      expect(r.evidence.otherAddress).toEqual({
        family: 'IPv4',
        address: '127.0.0.2',
        port: t === 'tls' ? main.tlsPort + 1 : main.altPort,
      });
      expect(r.rttMs).toBeGreaterThan(0);
      if (t === 'tls')
        expect(r.evidence.tls).toMatchObject({
          authorized: true,
          chain: [{ subjectCN: 'turn.lab.test', issuerCN: 'Pathcheck Test CA' }, {}],
        });
    },
  );

  it('a caller-provided UDP socket is reused (same mapping twice) and left open', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      const a = await stunBinding(ep('udp'), { socket: sock });
      const b = await stunBinding(ep('udp'), { socket: sock, changeRequest: { changeIp: false, changePort: true } });
      expect(a.status, a.detail).toBe('pass');
      expect(b.status, b.detail).toBe('pass');
      expect(a.evidence.mapped).toEqual(b.evidence.mapped);
      expect(a.evidence.local?.port).toBe(sock.address().port); // still bound: address() would throw if closed
      expect(b.evidence.responseOrigin).toEqual({ family: 'IPv4', address: '127.0.0.1', port: main.altPort });
      expect(sock.listenerCount('message')).toBe(0); // our listeners are gone
    } finally {
      sock.close();
    }
  });

  it('CHANGE-REQUEST (change IP and port) is answered from OTHER-ADDRESS', async () => {
    const r = await stunBinding(ep('udp'), { changeRequest: { changeIp: true, changePort: true } });
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence.responseOrigin).toEqual({ family: 'IPv4', address: '127.0.0.2', port: main.altPort });
  });

  it.each(['udp', 'tcp', 'tls'] as const)(
    'TURN Allocate over %s without credentials: 401 with realm = reachable',
    async (t) => {
      const r = await turnAllocate(ep(t), { tls: tls() });
      note(`allocate-401-${t}`, r.rttMs);
      expect(r).toMatchObject({ status: 'pass', reason: 'auth-required', evidence: { realm: 'lab', errorCode: 401 } });
    },
  );

  it.each(['udp', 'tcp', 'tls'] as const)(
    'TURN Allocate over %s with credentials: relayed address, lifetime, released',
    async (t) => {
      const r = await turnAllocate(ep(t), { tls: tls(), username: 'u', credential: 'p' });
      note(`allocate-ok-${t}`, r.rttMs);
      expect(r.status, r.detail).toBe('pass');
      expect(r.reason).toBe('allocated');
      const relayed = r.evidence.relayed!;
      expect(relayed.address).toBe('127.0.0.1');
      expect(relayed.port).toBeGreaterThanOrEqual(main.relayRange[0]);
      expect(relayed.port).toBeLessThanOrEqual(main.relayRange[1]);
      expect(r.evidence.mapped?.port).toBe(r.evidence.local?.port);
      expect(r.evidence.lifetime).toBeGreaterThan(0);
      expect(r.evidence.integrityVerified).toBe(true);
      expect(r.evidence.released).toBe(true);
    },
  );

  it.each(['udp', 'tcp'] as const)('wrong credentials over %s: auth-failed', async (t) => {
    const r = await turnAllocate(ep(t), { username: 'u', credential: 'wrong' });
    expect(r).toMatchObject({ status: 'fail', reason: 'auth-failed' });
    expect(r.detail).toMatch(/refused the TURN username/);
  });

  it('TLS without our CA is judged like every TLS check (interception, issuer named, raw code kept); rejectUnauthorized:false reports the chain', async () => {
    const r = await turnAllocate(ep('tls'));
    expect(r).toMatchObject({ status: 'fail', reason: 'tls-intercepted' });
    expect(r.detail).toContain('Pathcheck Test CA');
    expect(String(r.evidence.errno)).toMatch(/CERT|SIGNATURE|SELF_SIGNED|ISSUER/);
    const byName = await stunBinding(ep('tls'), { tls: { ca: main.caPem, servername: 'turn.lab.test' } });
    expect(byName.status, byName.detail).toBe('pass'); // SNI + DNS SAN check with an IP host
    const wrongName = await stunBinding(ep('tls'), { tls: { ca: main.caPem, servername: 'other.example' } });
    expect(wrongName).toMatchObject({ status: 'fail', reason: 'tls-hostname-mismatch' });
    const open = await turnAllocate(ep('tls'), { tls: { rejectUnauthorized: false } });
    expect(open).toMatchObject({ status: 'pass', reason: 'auth-required' });
    expect(open.evidence.tls).toMatchObject({
      authorized: false,
      chain: [{ subjectCN: 'turn.lab.test', issuerCN: 'Pathcheck Test CA' }],
    });
    expect(String((open.evidence.tls as { authorizationError?: string }).authorizationError)).toMatch(
      /UNABLE_TO_VERIFY|CERT/,
    );
  });

  it('turnRelayProbe proves a high relayed UDP port from a second local socket', async () => {
    const r = await turnRelayProbe(ep('udp'), { username: 'u', credential: 'p' });
    note('relay-probe', r.evidence.relayRttMs);
    expect(r.status, r.detail).toBe('pass');
    expect(r.reason).toBe('ok');
    expect(r.evidence.direction).toBe('client-to-relayed-port');
    expect(r.evidence.provenPort).toBe(r.evidence.relayed!.port);
    expect(r.evidence.provenPort).toBeGreaterThanOrEqual(main.relayRange[0]);
    expect(r.evidence.peer!.port).not.toBe(r.evidence.local!.port); // a second socket sent it
    expect(r.evidence.released).toBe(true);
  });

  it.each(['tcp', 'tls'] as const)('turnRelayProbe with the TURN control connection over %s', async (t) => {
    const r = await turnRelayProbe(ep(t), { username: 'u', credential: 'p' }, { tls: tls() });
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence.provenPort).toBe(r.evidence.relayed!.port);
    expect(r.evidence.released).toBe(true);
  });

  it('turnRelayProbe on a server that denies loopback peers: permission-denied (403)', async () => {
    const r = await turnRelayProbe(
      { host: '127.0.0.1', port: strict.port, transport: 'udp' },
      { username: 'u', credential: 'p' },
    );
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'permission-denied',
      evidence: { step: 'permission', errorCode: 403, released: true },
    });
  });

  it('natBehavior (RFC 5780): on loopback there is no NAT, and nothing filters', async () => {
    // coturn advertises OTHER-ADDRESS 127.0.0.2:alt. The mapped address equals our socket's address
    // (127.0.0.1, same port), so mapping is 'none'; the change-IP-and-port answer from 127.0.0.2 reaches a
    // fresh socket, so filtering is endpoint-independent. BEHAVE-compliant by definition.
    const r = await natBehavior(ep('udp'));
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence).toMatchObject({
      method: 'rfc5780',
      mapping: 'none',
      filtering: 'endpoint-independent',
      behaveCompliant: true,
      publicAddress: '127.0.0.1',
    });
    expect(r.evidence.otherAddress).toEqual({ family: 'IPv4', address: '127.0.0.2', port: main.altPort });
  });

  it('natBehavior without OTHER-ADDRESS falls back to two destinations', async () => {
    const single = await natBehavior({ host: '127.0.0.1', port: strict.port, transport: 'udp' });
    expect(single.evidence).toMatchObject({
      method: 'single',
      mapping: 'none',
      filtering: 'unknown',
      behaveCompliant: true,
    });
    const two = await natBehavior(
      { host: '127.0.0.1', port: strict.port, transport: 'udp' },
      { secondary: { host: '127.0.0.1', port: main.port } },
    );
    expect(two.evidence).toMatchObject({ method: 'two-destinations', mapping: 'none', behaveCompliant: true });
    expect(two.evidence.tests).toHaveLength(2);
  });

  it('no socket or timer leaks after 40 probes of every kind', async () => {
    await settle();
    const before = activeHandles();
    const runs: Array<Promise<unknown>> = [];
    for (let i = 0; i < 5; i++) {
      runs.push(
        stunBinding(ep('udp')),
        stunBinding(ep('tcp')),
        stunBinding(ep('tls'), { tls: tls() }),
        turnAllocate(ep('tls'), { tls: tls(), username: 'u', credential: 'p' }),
        turnAllocate(ep('tcp'), { username: 'u', credential: 'bad' }),
        turnRelayProbe(ep('udp'), { username: 'u', credential: 'p' }),
        natBehavior(ep('udp')),
        stunBinding(ep('tls'), { tls: { servername: 'nope.example', ca: main.caPem } }),
      );
    }
    await new Promise((r) => setTimeout(r, 0));
    const during = activeHandles().sockets; // the counter does see our sockets while they are open
    const outs = (await Promise.all(runs)) as Array<{ status: string }>;
    expect(outs.filter((o) => o.status === 'pass').length).toBe(30); // 5 wrong-credential + 5 wrong-servername fail on purpose
    await settle();
    expect(during).toBeGreaterThan(before.sockets);
    expect(leaked(before)).toBeNull();
  });
});
