import { describe, expect, it } from 'vitest';
import { classifyIpv6Nat } from '#node/stun/nat6';

const host = ['127.0.0.1', '::1', 'fe80::3c2b:d1ff:fe4a:5b6c', '2001:db8:1234:5600:3c2b:d1ff:fe4a:5b6c'];

describe('IPv6 NAT: usually none, NPTv6 or NAT66 when the mapped address differs', () => {
  it('mapped == local (same address and port): no NAT, said so', () => {
    const r = classifyIpv6Nat({
      local: { address: '2001:db8:1234:5600:3c2b:d1ff:fe4a:5b6c', port: 50000 },
      mapped: { address: '2001:DB8:1234:5600:3C2B:D1FF:FE4A:5B6C', port: 50000 },
    });
    expect(r).toMatchObject({
      translation: 'none',
      mapping: 'none',
      publicAddress: '2001:db8:1234:5600:3c2b:d1ff:fe4a:5b6c',
    });
    expect(r.notes[0]).toMatch(/no NAT/);
  });
  it("an unbound socket (::) is matched against the machine's addresses", () => {
    const r = classifyIpv6Nat({
      local: { address: '::', port: 40000 },
      mapped: { address: '2001:db8:1234:5600:3c2b:d1ff:fe4a:5b6c', port: 40000 },
      hostAddresses: host,
    });
    expect(r.translation).toBe('none');
  });
  it('prefix rewritten, interface id and port kept: NPTv6', () => {
    const r = classifyIpv6Nat({
      local: { address: 'fd00:aaaa:1::3c2b:d1ff:fe4a:5b6c', port: 50000 },
      mapped: { address: '2001:db8:99::3c2b:d1ff:fe4a:5b6c', port: 50000 },
    });
    expect(r).toMatchObject({
      translation: 'nptv6',
      mapping: 'endpoint-independent',
      publicAddress: '2001:db8:99:0:3c2b:d1ff:fe4a:5b6c',
    });
    expect(r.notes[0]).toMatch(/NPTv6.*fd00:aaaa:1:0:3c2b:d1ff:fe4a:5b6c appears as 2001:db8:99:0:3c2b:d1ff:fe4a:5b6c/);
  });
  it('NPTv6 with one checksum-neutral word adjusted in the interface id is still NPTv6', () => {
    const r = classifyIpv6Nat({
      local: { address: 'fd01:203:405:1::1234', port: 5000 },
      mapped: { address: '2001:db8:1:d550::1234', port: 5000 },
    });
    expect(r.translation).toBe('nptv6');
    const adjusted = classifyIpv6Nat({
      local: { address: 'fd01:203:405:1::1234', port: 5000 },
      mapped: { address: '2001:db8:1:1:0:0:d550:1234', port: 5000 },
    });
    expect(adjusted.translation).toBe('nptv6');
  });
  it('port rewritten, or the whole address replaced: stateful NAT66', () => {
    const port = classifyIpv6Nat({
      local: { address: 'fd00::10', port: 50000 },
      mapped: { address: '2001:db8::1', port: 61234 },
    });
    expect(port).toMatchObject({ translation: 'nat66', mapping: 'unknown', publicAddress: '2001:db8::1' });
    expect(port.notes[0]).toMatch(/and ports.*may need a relay/);
    const whole = classifyIpv6Nat({
      local: { address: 'fd00::10', port: 50000 },
      mapped: { address: '2001:db8::abcd:ef01:2345:6789', port: 50000 },
    });
    expect(whole.translation).toBe('nat66');
  });
  it('an IPv4 answer or no known local address is unknown, not "none"', () => {
    expect(
      classifyIpv6Nat({ local: { address: '::', port: 1 }, mapped: { address: '198.51.100.7', port: 1 } }).translation,
    ).toBe('unknown');
    expect(
      classifyIpv6Nat({ local: { address: '::', port: 1 }, mapped: { address: '2001:db8::1', port: 1 } }).translation,
    ).toBe('unknown');
  });
});
