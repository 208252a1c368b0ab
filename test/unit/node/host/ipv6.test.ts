import { describe, expect, it } from 'vitest';
import type os from 'node:os';
import { ipv6Facts, ipv6ScopeOf, parseIfconfigInet6, parseIfInet6 } from '#node/host/ipv6';
import { parseProcNetIpv6Route, parseProcNetRoute } from '#node/host/routes';
import { hostFacts } from '#node/host/facts';
import { HostFactsSchema } from '#common/report/schema';

// /proc/net/if_inet6 as the kernel writes it (flags are the low byte of ifa_flags): a laptop on
// SLAAC with privacy extensions — one temporary address (01), one deprecated old temporary (21),
// the stable mngtmpaddr one (00), link-local (80 = permanent), loopback, and a WireGuard ULA.
const IF_INET6 = `2a0104f8c20bd1e0c1a3b2f2e1d0c0b0 03 40 00 01   wlp2s0
2a0104f8c20bd1e05d6e7f8091a2b3c4 03 40 00 21   wlp2s0
2a0104f8c20bd1e03c2bd1fffe4a5b6c 03 40 00 00   wlp2s0
fe800000000000003c2bd1fffe4a5b6c 03 40 20 80   wlp2s0
00000000000000000000000000000001 01 80 10 80       lo
fd0a0b0c000000000000000000000002 05 40 00 80      wg0
`;
// This container's own file (ULA with nodad = 82), and a tentative address (40) during DAD.
const IF_INET6_LAB = `fd000000000000000000000000000002 04 40 00 82     eth0
00000000000000000000000000000001 01 80 10 80       lo
fe8000000000000000fc00fffe000001 04 40 20 80     eth0
fd0c0000000000000000000000000010 06 40 00 40 pc-c0
`;
const V6_DEFAULT_WLAN = `00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000022345fffe678901 00000258 00000003 00000000 00450003   wlp2s0
`;
const V6_DEFAULT_WG = `00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001      wg0
`;
const V4_TUN = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
tun0\t00000000\t0100080A\t0003\t0\t0\t50\t00000000\t0\t0\t0
wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
`;
// macOS `ifconfig` (Ventura), en0 with a temporary and a secured address.
const IFCONFIG = `lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384
\tinet6 ::1 prefixlen 128
\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1
en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\tether 3c:22:fb:00:11:22
\tinet6 fe80::1c8a:7f3e:5b2d:4c6a%en0 prefixlen 64 secured scopeid 0xb
\tinet6 2001:db8:1234:5600:18f7:a2b3:c4d5:e6f7 prefixlen 64 autoconf secured
\tinet6 2001:db8:1234:5600:9d3e:1c2b:3a4f:5e6d prefixlen 64 autoconf temporary
\tinet 192.168.1.23 netmask 0xffffff00 broadcast 192.168.1.255
utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380
\tinet6 fd7a:115c:a1e0::1a prefixlen 48
`;

describe('IPv6 address kinds and flags', () => {
  it('scopes by prefix: global, ULA, link-local, loopback', () => {
    expect(ipv6ScopeOf('2a01:4f8::1')).toBe('global');
    expect(ipv6ScopeOf('fd0c::10')).toBe('ula');
    expect(ipv6ScopeOf('FE80::1')).toBe('link');
    expect(ipv6ScopeOf('::1')).toBe('host');
    expect(ipv6ScopeOf('::ffff:192.0.2.1')).toBe('other');
    expect(ipv6ScopeOf('192.0.2.1')).toBe('other');
  });
  it('reads /proc/net/if_inet6: temporary, deprecated and tentative flags', () => {
    const a = parseIfInet6(IF_INET6);
    expect(a).toHaveLength(6);
    expect(a[0]).toEqual({
      iface: 'wlp2s0',
      address: '2a01:4f8:c20b:d1e0:c1a3:b2f2:e1d0:c0b0',
      prefixLength: 64,
      scope: 'global',
      temporary: true,
      deprecated: false,
      tentative: false,
    });
    expect(a[1]).toMatchObject({ temporary: true, deprecated: true });
    expect(a[2]).toMatchObject({ temporary: false, deprecated: false });
    expect(a[3]).toMatchObject({ scope: 'link' });
    expect(a[5]).toMatchObject({ iface: 'wg0', address: 'fd0a:b0c::2', scope: 'ula' });
    expect(parseIfInet6(IF_INET6_LAB)[3]).toMatchObject({ address: 'fd0c::10', tentative: true });
    expect(parseIfInet6('garbage\nzz 01 02 03\n')).toEqual([]);
  });
  it('reads macOS ifconfig inet6 lines', () => {
    const a = parseIfconfigInet6(IFCONFIG);
    expect(a.map((x) => [x.iface, x.address, x.scope, x.temporary])).toEqual([
      ['lo0', '::1', 'host', false],
      ['lo0', 'fe80::1', 'link', false],
      ['en0', 'fe80::1c8a:7f3e:5b2d:4c6a', 'link', false],
      ['en0', '2001:db8:1234:5600:18f7:a2b3:c4d5:e6f7', 'global', false],
      ['en0', '2001:db8:1234:5600:9d3e:1c2b:3a4f:5e6d', 'global', true],
      ['utun3', 'fd7a:115c:a1e0::1a', 'ula', false],
    ]);
  });
});

describe('ipv6Facts', () => {
  it('a dual-stack laptop: usable, default route via the wifi, privacy addresses counted (not the deprecated one)', () => {
    const f = ipv6Facts(parseIfInet6(IF_INET6), [], parseProcNetIpv6Route(V6_DEFAULT_WLAN));
    expect(f.usable).toBe(true);
    expect(f.defaultRoute).toEqual({ iface: 'wlp2s0', gateway: 'fe80::223:45ff:fe67:8901' });
    expect(f.temporaryAddresses).toBe(1);
    expect(f.addresses.map((a) => a.address)).not.toContain('::1');
    expect(f.addresses.some((a) => a.scope === 'link')).toBe(false);
    expect(f.tunnels).toEqual(['wg0']);
    expect(f.notes.join(' ')).toMatch(/Temporary \(privacy\) IPv6 addresses/);
  });
  it('a VPN carrying IPv4 while IPv6 leaves directly is named', () => {
    const f = ipv6Facts(
      parseIfInet6(IF_INET6).filter((a) => a.iface !== 'wg0'),
      parseProcNetRoute(V4_TUN),
      parseProcNetIpv6Route(V6_DEFAULT_WLAN),
    );
    expect(f.bypassesVpn).toBe(true);
    expect(f.notes.join(' ')).toMatch(
      /VPN carries IPv4 \(default route via tun0\), but IPv6 leaves directly through wlp2s0/,
    );
  });
  it('a VPN carrying IPv6 (default route via wg0)', () => {
    const f = ipv6Facts(parseIfInet6(IF_INET6), parseProcNetRoute(V4_TUN), parseProcNetIpv6Route(V6_DEFAULT_WG));
    expect(f).toMatchObject({ usable: true, bypassesVpn: false, tunnels: ['wg0'], defaultRoute: { iface: 'wg0' } });
  });
  it('addresses without a default route, or link-local only: not usable, and says why', () => {
    const noRoute = ipv6Facts(parseIfInet6(IF_INET6), [], []);
    expect(noRoute.usable).toBe(false);
    expect(noRoute.notes[0]).toMatch(/no IPv6 default route/);
    const linkOnly = ipv6Facts(
      parseIfInet6(IF_INET6).filter((a) => a.scope === 'link' || a.scope === 'host'),
      [],
      parseProcNetIpv6Route(V6_DEFAULT_WLAN),
    );
    expect(linkOnly.usable).toBe(false);
    expect(linkOnly.notes[0]).toMatch(/no global IPv6 address/);
  });
});

describe('hostFacts reads IPv6 on Linux', () => {
  const nics = (): NodeJS.Dict<os.NetworkInterfaceInfo[]> => ({
    eth0: [
      {
        address: 'fd00::2',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '00:00:00:00:00:01',
        internal: false,
        cidr: 'fd00::2/64',
        scopeid: 0,
      },
    ],
  });
  const files =
    (m: Record<string, string>) =>
    async (p: string): Promise<string> => {
      if (p in m) return m[p]!;
      throw new Error(`unexpected read ${p}`);
    };
  it('an IPv6-only lab namespace: no IPv4 default, IPv6 usable through eth0', async () => {
    const f = await hostFacts({
      env: {},
      platform: 'linux',
      networkInterfaces: nics,
      readText: files({
        '/proc/net/route': 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n',
        '/proc/net/ipv6_route':
          '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n',
        '/proc/net/if_inet6': IF_INET6_LAB,
      }),
    });
    expect(HostFactsSchema.parse(f).ipv6).toMatchObject({
      usable: true,
      defaultRoute: { iface: 'eth0', gateway: 'fd00::1' },
    });
    expect(f.defaultInterface).toBe('eth0');
  });
  it('when /proc/net/if_inet6 cannot be read (IPv6 disabled), no ipv6 section', async () => {
    const f = await hostFacts({
      env: {},
      platform: 'linux',
      networkInterfaces: nics,
      readText: files({ '/proc/net/route': '', '/proc/net/ipv6_route': '' }),
    });
    expect(f.ipv6).toBeUndefined();
  });
});
