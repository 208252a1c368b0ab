import os from 'node:os';
import { readFile } from 'node:fs/promises';
import type { HostFacts } from '#common/report/schema';
import { proxyFromEnv } from '../net/proxy';
import { isTunnelName, parseProcNetIpv6Route, parseProcNetRoute } from './routes';
import { ipv6Facts, parseIfInet6 } from './ipv6';

export interface HostFactsOptions {
  env: Record<string, string | undefined>;
  /** Electron's session.resolveProxy (answers "DIRECT" or "PROXY host:port; ..."); env is used without it. */
  resolveProxy?: (url: string) => Promise<string>;
  /** URL whose proxy matters (the TURN-TLS server); default https://example.com:443. */
  probeUrl?: string;
  /** Test seams. */
  platform?: NodeJS.Platform;
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  readText?: (path: string) => Promise<string>;
}

/**
 * Parses a PAC-style answer ("PROXY h:p; DIRECT") into the proxy a browser would use first;
 * null for DIRECT. SOCKS answers are reported as such (url socks://h:p).
 */
export function parsePacAnswer(answer: string): { url: string; host: string; port: number } | null {
  const first = answer.split(';')[0]?.trim() ?? '';
  const m = /^(PROXY|HTTPS|SOCKS5?|SOCKS4)\s+(\[[^\]]+\]|[^\s:]+):(\d{1,5})$/i.exec(first);
  if (!m) return null;
  const kind = (m[1] ?? '').toUpperCase();
  const host = (m[2] ?? '').replace(/^\[|\]$/g, '');
  const port = Number(m[3]);
  const scheme = kind === 'HTTPS' ? 'https' : kind.startsWith('SOCKS') ? 'socks' : 'http';
  return { url: `${scheme}://${m[2]}:${port}`, host, port };
}

/**
 * What this machine looks like network-wise, for the report header and for interpreting results:
 * interfaces (tunnel-flagged), the default route's interface (Linux only, from /proc), whether
 * traffic likely leaves through a VPN, and which proxy applies. Never throws: unreadable parts
 * become null with a note in `vpnReason`.
 */
export async function hostFacts(opts: HostFactsOptions): Promise<HostFacts> {
  const platform = opts.platform ?? process.platform;
  const read = opts.readText ?? ((p: string) => readFile(p, 'utf8'));
  const nics = (opts.networkInterfaces ?? os.networkInterfaces)();
  const interfaces = Object.entries(nics).map(([name, addrs]) => ({
    name,
    addresses: (addrs ?? []).map((a) => ({
      address: a.address,
      family: (a.family === 'IPv6' || (a.family as unknown) === 6 ? 'IPv6' : 'IPv4') as 'IPv4' | 'IPv6',
      internal: a.internal,
      cidr: a.cidr ?? null,
    })),
    tunnel: isTunnelName(name),
  }));

  let defaultInterface: string | null = null;
  let vpn = false;
  let vpnReason: string | null = null;
  let ipv6: HostFacts['ipv6'];
  if (platform === 'linux') {
    const v4 = await read('/proc/net/route').then(parseProcNetRoute, () => []);
    const v6 = await read('/proc/net/ipv6_route').then(parseProcNetIpv6Route, () => []);
    const inet6 = await read('/proc/net/if_inet6').then(
      (t) => parseIfInet6(t.slice(0, 256 * 1024)),
      () => null,
    );
    if (inet6) ipv6 = ipv6Facts(inet6, v4, v6);
    const def = v4[0] ?? v6[0];
    defaultInterface = def?.iface ?? null;
    if (def && isTunnelName(def.iface)) {
      vpn = true;
      vpnReason = `The default route goes through ${def.iface}, a tunnel interface — traffic likely leaves through a VPN.`;
    } else if (!def) {
      vpnReason = 'This machine has no default route; only directly connected networks are reachable.';
    } else {
      const tunnels = interfaces.filter((i) => i.tunnel && i.addresses.length > 0).map((i) => i.name);
      if (tunnels.length > 0)
        vpnReason = `Tunnel interface(s) ${tunnels.join(', ')} are up, but the default route uses ${def.iface} (split tunnel: only some destinations use the VPN).`;
    }
  } else {
    const tunnels = interfaces.filter((i) => i.tunnel && i.addresses.some((a) => !a.internal)).map((i) => i.name);
    vpnReason = `The default route is not read on ${platform}${tunnels.length > 0 ? `; tunnel interface(s) ${tunnels.join(', ')} are up, so a VPN may carry the traffic` : ''}.`;
  }

  const probeUrl = opts.probeUrl ?? 'https://example.com:443';
  let proxy: HostFacts['proxy'];
  if (opts.resolveProxy) {
    const answer = await opts.resolveProxy(probeUrl).catch(() => 'DIRECT');
    const p = parsePacAnswer(answer);
    proxy = p ? { url: p.url, source: 'system (resolveProxy)' } : null;
  } else {
    const p = proxyFromEnv(opts.env, probeUrl);
    proxy = p ? { url: p.url, source: p.source } : null;
  }

  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    hostname: os.hostname(),
    interfaces,
    defaultInterface,
    vpn,
    vpnReason,
    ...(ipv6 ? { ipv6 } : {}),
    proxy,
  };
}
