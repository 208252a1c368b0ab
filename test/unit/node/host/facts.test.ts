import { describe, expect, it } from 'vitest';
import type os from 'node:os';
import { hexToIPv4, hexToIPv6, isTunnelName, parseProcNetIpv6Route, parseProcNetRoute } from '#node/host/routes';
import { hostFacts, parsePacAnswer } from '#node/host/facts';
import { HostFactsSchema } from '#common/report/schema';

// Captured from real machines (whitespace as the kernel writes it).
const ROUTE_ETH = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;
/** OpenVPN with redirect-gateway def1 style: wifi default at metric 600, tun0 default at metric 50. */
const ROUTE_VPN = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
tun0\t00000000\t0100080A\t0003\t0\t0\t50\t00000000\t0\t0\t0
wlp2s0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
`;
const ROUTE_NONE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;
const IPV6_ROUTE = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001      wg0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

describe('route table parsers', () => {
  it('decodes kernel hex addresses', () => {
    expect(hexToIPv4('010200C0')).toBe('192.0.2.1');
    expect(hexToIPv6('fd000000000000000000000000000001')).toBe('fd00::1');
    expect(hexToIPv6('20010db8000000010000000000000000')).toBe('2001:db8:0:1::');
  });
  it('finds the IPv4 default route, lowest metric first', () => {
    expect(parseProcNetRoute(ROUTE_ETH)).toEqual([{ iface: 'eth0', gateway: '192.0.2.1', metric: 0, family: 4 }]);
    expect(parseProcNetRoute(ROUTE_VPN).map((r) => r.iface)).toEqual(['tun0', 'wlp2s0']);
    expect(parseProcNetRoute(ROUTE_NONE)).toEqual([]);
    expect(parseProcNetRoute('')).toEqual([]);
  });
  it('finds IPv6 default routes, skipping lo reject routes', () => {
    expect(parseProcNetIpv6Route(IPV6_ROUTE)).toEqual([
      { iface: 'wg0', gateway: null, metric: 0x100, family: 6 },
      { iface: 'eth0', gateway: 'fd00::1', metric: 0x400, family: 6 },
    ]);
  });
  it('recognises tunnel interface names', () => {
    for (const n of ['tun0', 'tap1', 'wg0', 'utun3', 'ppp0', 'ipsec0', 'gpd0', 'zt7nnig26', 'tailscale0'])
      expect(isTunnelName(n)).toBe(true);
    for (const n of ['eth0', 'wlp2s0', 'en0', 'lo', 'docker0', 'veth12']) expect(isTunnelName(n)).toBe(false);
  });
});

const NICS = (): NodeJS.Dict<os.NetworkInterfaceInfo[]> => ({
  lo: [
    {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    },
  ],
  wlp2s0: [
    {
      address: '192.168.1.20',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: 'aa:bb:cc:dd:ee:ff',
      internal: false,
      cidr: '192.168.1.20/24',
    },
  ],
  tun0: [
    {
      address: '10.8.0.6',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: false,
      cidr: '10.8.0.6/24',
    },
  ],
});
const files =
  (route: string) =>
  async (p: string): Promise<string> => {
    if (p === '/proc/net/route') return route;
    if (p === '/proc/net/ipv6_route') return '';
    throw new Error(`unexpected read ${p}`);
  };

describe('hostFacts', () => {
  it('flags a VPN when the default route uses a tunnel interface', async () => {
    const f = await hostFacts({ env: {}, platform: 'linux', networkInterfaces: NICS, readText: files(ROUTE_VPN) });
    expect(HostFactsSchema.parse(f)).toBeTruthy();
    expect(f.defaultInterface).toBe('tun0');
    expect(f.vpn).toBe(true);
    expect(f.vpnReason).toMatch(/tun0/);
    expect(f.interfaces.find((i) => i.name === 'tun0')).toMatchObject({
      tunnel: true,
      addresses: [{ cidr: '10.8.0.6/24', family: 'IPv4' }],
    });
    expect(f.interfaces.find((i) => i.name === 'wlp2s0')?.tunnel).toBe(false);
  });
  it('reports a split tunnel as no VPN, with the reason', async () => {
    const f = await hostFacts({
      env: {},
      platform: 'linux',
      networkInterfaces: NICS,
      readText: files(ROUTE_VPN.replace('\t50\t', '\t900\t')),
    });
    expect(f.defaultInterface).toBe('wlp2s0');
    expect(f.vpn).toBe(false);
    expect(f.vpnReason).toMatch(/split tunnel/);
  });
  it('says so when there is no default route', async () => {
    const f = await hostFacts({ env: {}, platform: 'linux', networkInterfaces: NICS, readText: files(ROUTE_NONE) });
    expect(f.defaultInterface).toBeNull();
    expect(f.vpnReason).toMatch(/no default route/);
  });
  it('does not read /proc on macOS and says why', async () => {
    const f = await hostFacts({
      env: {},
      platform: 'darwin',
      networkInterfaces: NICS,
      readText: () => Promise.reject(new Error('no /proc')),
    });
    expect(f.defaultInterface).toBeNull();
    expect(f.vpn).toBe(false);
    expect(f.vpnReason).toMatch(/not read on darwin.*tun0/);
  });
  it('takes the proxy from the environment, or from the resolveProxy hook when given', async () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128' };
    const a = await hostFacts({
      env,
      platform: 'linux',
      networkInterfaces: NICS,
      readText: files(ROUTE_ETH),
      probeUrl: 'https://turn.example.com:443',
    });
    expect(a.proxy).toEqual({ url: 'http://proxy.corp:3128', source: 'env:HTTPS_PROXY' });
    const asked: string[] = [];
    const b = await hostFacts({
      env,
      platform: 'linux',
      networkInterfaces: NICS,
      readText: files(ROUTE_ETH),
      probeUrl: 'https://turn.example.com:443',
      resolveProxy: async (u) => {
        asked.push(u);
        return 'PROXY 10.0.0.1:8080; DIRECT';
      },
    });
    expect(asked).toEqual(['https://turn.example.com:443']);
    expect(b.proxy).toEqual({ url: 'http://10.0.0.1:8080', source: 'system (resolveProxy)' });
    const c = await hostFacts({
      env,
      platform: 'linux',
      networkInterfaces: NICS,
      readText: files(ROUTE_ETH),
      resolveProxy: async () => 'DIRECT',
    });
    expect(c.proxy).toBeNull();
  });
  it('works on this machine (real os and /proc)', async () => {
    const f = await hostFacts({ env: {} });
    expect(HostFactsSchema.parse(f)).toBeTruthy();
    expect(f.os).toMatch(/\(.+\)$/);
    expect(f.interfaces.some((i) => i.addresses.some((a) => a.internal))).toBe(true);
  });
});

describe('parsePacAnswer', () => {
  it('parses the first PAC entry', () => {
    expect(parsePacAnswer('DIRECT')).toBeNull();
    expect(parsePacAnswer('PROXY p:8080')).toEqual({ url: 'http://p:8080', host: 'p', port: 8080 });
    expect(parsePacAnswer('HTTPS p.example:443; DIRECT')).toEqual({
      url: 'https://p.example:443',
      host: 'p.example',
      port: 443,
    });
    expect(parsePacAnswer('PROXY [::1]:3128')).toEqual({ url: 'http://[::1]:3128', host: '::1', port: 3128 });
    expect(parsePacAnswer('SOCKS5 s:1080')?.url).toBe('socks://s:1080');
    expect(parsePacAnswer('garbage')).toBeNull();
  });
});
