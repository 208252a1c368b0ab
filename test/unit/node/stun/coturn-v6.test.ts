/**
 * IPv6 against a real coturn listening and relaying on both 127.0.0.1 and ::1: the client reaches
 * it over IPv6 on UDP/TCP/TLS, asks for an IPv6 relay with REQUESTED-ADDRESS-FAMILY (RFC 8656
 * §18.6) and parses the IPv6 XOR-RELAYED-ADDRESS; the relay probe proves a relayed port over IPv6.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { startCoturn, type Coturn } from './coturn-harness';
import { stunBinding } from '#node/stun/client';
import { turnRelayProbe } from '#node/stun/relay-probe';
import { turnAllocate } from '#node/stun/turn';
import type { StunTransport } from '#node/stun/types';

async function hasLoopback6(): Promise<boolean> {
  const s = net.createServer();
  return new Promise((r) => {
    s.once('error', () => r(false));
    s.listen(0, '::1', () => s.close(() => r(true)));
  });
}

const skip =
  missingPrereqs('stun coturn ipv6', [prereqs.coturn, prereqs.openssl]) ??
  ((await hasLoopback6()) ? null : 'no ::1 on this machine');

describe.skipIf(skip)('TURN over IPv6 against a real dual-stack coturn', () => {
  let coturn: Coturn;
  const ep = (host: string, transport: StunTransport) => ({
    host,
    port: transport === 'tls' ? coturn.tlsPort : coturn.port,
    transport,
  });
  const creds = { username: 'u', credential: 'p' };
  beforeAll(async () => {
    coturn = await startCoturn({ ipv6: true, allowLoopbackPeers: true });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  it.each(['udp', 'tcp', 'tls'] as const)('STUN Binding over %s to ::1 maps an IPv6 address', async (t) => {
    const r = await stunBinding(ep('::1', t), { tls: { ca: coturn.caPem }, deadlineMs: 3000 });
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence.mapped).toMatchObject({ family: 'IPv6', address: '::1' });
  });

  it.each(['udp', 'tcp', 'tls'] as const)(
    'Allocate over %s to ::1 with REQUESTED-ADDRESS-FAMILY IPv6 gets an IPv6 relay',
    async (t) => {
      const r = await turnAllocate(ep('::1', t), {
        ...creds,
        tls: { ca: coturn.caPem },
        deadlineMs: 3000,
        relayFamily: 6,
      });
      expect(r.status, r.detail).toBe('pass');
      expect(r.reason).toBe('allocated');
      expect(r.evidence).toMatchObject({
        relayFamily: 6,
        relayed: { family: 'IPv6', address: '::1' },
        mapped: { family: 'IPv6', address: '::1' },
        released: true,
      });
      expect(r.evidence.relayed!.port).toBeGreaterThanOrEqual(coturn.relayRange[0]);
      expect(r.evidence.relayed!.port).toBeLessThanOrEqual(coturn.relayRange[1]);
    },
  );

  it('without the attribute the relay is IPv4 (the RFC default), even over IPv6', async () => {
    const r = await turnAllocate(ep('::1', 'udp'), { ...creds, deadlineMs: 3000 });
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence.relayed).toMatchObject({ family: 'IPv4', address: '127.0.0.1' });
    expect(r.evidence).not.toHaveProperty('relayFamily');
  });

  it('an IPv4 client can ask for an IPv6 relay too (the family of the relay is independent)', async () => {
    const r = await turnAllocate(ep('127.0.0.1', 'udp'), { ...creds, deadlineMs: 3000, relayFamily: 6 });
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence).toMatchObject({ relayed: { family: 'IPv6' }, mapped: { family: 'IPv4' } });
  });

  it('the relay probe proves a relayed UDP port over IPv6', async () => {
    const r = await turnRelayProbe(ep('::1', 'udp'), creds, { deadlineMs: 3000, relayFamily: 6 });
    expect(r.status, r.detail).toBe('pass');
    expect(r.evidence).toMatchObject({
      relayed: { family: 'IPv6', address: '::1' },
      peer: { address: '::1' },
      released: true,
    });
    expect(r.evidence.provenPort).toBe(r.evidence.relayed!.port);
  });
});

describe.skipIf(missingPrereqs('stun coturn ipv4 only', [prereqs.coturn, prereqs.openssl]))(
  'a server that relays IPv4 only',
  () => {
    let coturn: Coturn;
    beforeAll(async () => {
      coturn = await startCoturn({});
    });
    afterAll(async () => {
      await coturn?.stop();
    });
    it('answers an IPv6 relay request with 440: family-unsupported, not a block', async () => {
      const r = await turnAllocate(
        { host: '127.0.0.1', port: coturn.port, transport: 'udp' },
        { username: 'u', credential: 'p', deadlineMs: 3000, relayFamily: 6 },
      );
      expect(r).toMatchObject({ status: 'fail', reason: 'family-unsupported', evidence: { errorCode: 440 } });
      expect(r.detail).toMatch(/does not relay IPv6/);
    });
  },
);
