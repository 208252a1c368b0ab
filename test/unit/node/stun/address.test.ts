/**
 * Which addresses a STUN/TURN answer may name (address.ts): what a server says about us, and where it
 * may send our probes. Pure functions; the hostile-server tests show the probes applying them.
 */
import { describe, expect, it } from 'vitest';
import { answerAddressProblem, destinationProblem, inCidr, specialUse } from '#node/stun/address';

const v4 = (address: string, port = 3478) => ({ family: 'IPv4' as const, address, port });
const v6 = (address: string, port = 3478) => ({ family: 'IPv6' as const, address, port });

describe('specialUse', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::ffff:255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::7', 'documentation'],
  ])('%s is %s', (ip, use) => expect(specialUse(ip)).toBe(use));

  it.each(['8.8.8.8', '10.77.2.5', '192.168.1.1', '100.64.0.1', '2001:4860::8888', 'fd77:2::5', 'turn.example.com'])(
    '%s is ordinary',
    (ip) => {
      expect(specialUse(ip)).toBeNull();
    },
  );
});

describe('inCidr', () => {
  it.each([
    ['10.77.2.9', '10.77.2.0/24', true],
    ['10.77.3.9', '10.77.2.0/24', false],
    ['10.77.2.9', '10.77.2.9', true],
    ['10.1.2.3', '0.0.0.0/0', true],
    ['10.1.2.3', '10.0.0.0/7', true],
    ['11.1.2.3', '10.0.0.0/8', false],
    ['fd77:2::5', 'fd77:2::/64', true],
    ['fd77:3::5', 'fd77:2::/64', false],
    ['::ffff:10.77.2.9', '10.77.2.0/24', true],
    ['10.77.2.9', 'fd77:2::/64', false],
    ['10.77.2.9', '10.77.2.0/33', false],
    ['x', '10.0.0.0/8', false],
  ])('%s in %s: %s', (ip, cidr, want) => expect(inCidr(ip, cidr)).toBe(want));
});

describe('answerAddressProblem (mapped and relayed addresses)', () => {
  it('refuses port 0, unspecified, broadcast and multicast whatever the server', () => {
    for (const a of [
      v4('203.0.113.5', 0),
      v4('0.0.0.0'),
      v4('255.255.255.255'),
      v4('224.0.0.1'),
      v6('::'),
      v6('ff05::2'),
    ]) {
      expect(answerAddressProblem(a, '8.8.8.8'), a.address).not.toBeNull();
      expect(answerAddressProblem(a, '127.0.0.1'), a.address).not.toBeNull();
    }
  });

  it('loopback only from a server on loopback', () => {
    expect(answerAddressProblem(v4('127.0.0.1'), '8.8.8.8')).toMatch(/loopback/);
    expect(answerAddressProblem(v6('::1'), '2001:4860::8888')).toMatch(/loopback/);
    expect(answerAddressProblem(v4('127.0.0.1'), '127.0.0.1')).toBeNull();
  });

  it('ordinary public, private and CGNAT addresses are fine', () => {
    for (const a of [v4('198.18.0.1'), v4('10.1.2.3'), v4('100.64.1.2'), v6('2001:4860::1')])
      expect(answerAddressProblem(a, '8.8.8.8')).toBeNull();
  });
});

describe('destinationProblem (where a server may send our probes)', () => {
  const trusted = ['10.77.2.0/24', 'fd77:2::/64'];

  it('the server itself and the trusted ranges are allowed', () => {
    expect(destinationProblem(v4('10.77.9.9', 50000), '10.77.9.9')).toBeNull();
    expect(destinationProblem(v4('10.77.2.6', 50000), '10.77.9.9', trusted)).toBeNull();
    expect(destinationProblem(v6('fd77:2::6', 50000), 'fd77:2::5', trusted)).toBeNull();
  });

  it('anywhere else is refused, saying why', () => {
    expect(destinationProblem(v4('8.8.8.8', 53), '10.77.2.5', trusted)).toEqual({
      kind: 'untrusted',
      message: expect.stringMatching(/neither the server's own address nor inside the address ranges/),
    });
    expect(destinationProblem(v4('10.77.2.6', 50000), '10.77.2.5')?.kind).toBe('untrusted'); // no ranges given: only the server
  });

  it('special-purpose addresses are refused even inside a range that covers them', () => {
    for (const d of [
      v4('169.254.169.254', 80),
      v4('0.0.0.0', 80),
      v4('255.255.255.255', 80),
      v4('224.0.0.251', 5353),
      v4('127.0.0.1', 22),
      v4('240.0.0.1', 1),
    ]) {
      expect(destinationProblem(d, '8.8.8.8', ['0.0.0.0/0'])?.kind, d.address).toBe('special');
    }
    expect(destinationProblem(v4('10.77.2.6', 0), '10.77.2.5', trusted)?.message).toMatch(/port 0/);
  });

  it('a server on loopback may name another loopback address of this machine (coturn with 127.0.0.2)', () => {
    expect(destinationProblem(v4('127.0.0.2', 3479), '127.0.0.1')).toBeNull();
    expect(destinationProblem(v4('0.0.0.0', 3479), '127.0.0.1')?.message).toMatch(/unspecified/);
  });
});
