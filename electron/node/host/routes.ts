/**
 * Pure parsers for Linux routing tables (/proc/net/route, /proc/net/ipv6_route). Kept free of I/O
 * so they can be tested with fixtures; host/facts.ts reads the files and feeds them in.
 */

export interface DefaultRoute {
  iface: string;
  gateway: string | null;
  metric: number;
  family: 4 | 6;
}

const RTF_UP = 0x0001;
const RTF_REJECT = 0x0200;

/** Little-endian hex IPv4 as written by the kernel in /proc/net/route ("0101A8C0" → 192.168.1.1). */
export function hexToIPv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** 32 hex digits → compressed IPv6 text. */
export function hexToIPv6(hex: string): string {
  const groups = (hex.match(/.{4}/g) ?? []).map((g) => Number.parseInt(g, 16).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** IPv4 default routes (destination and mask 0, route up), lowest metric first. */
export function parseProcNetRoute(text: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , metric, mask] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const fl = Number.parseInt(flags, 16);
    if (dest !== '00000000' || mask !== '00000000' || !(fl & RTF_UP) || fl & RTF_REJECT) continue;
    out.push({
      iface,
      gateway: gw === '00000000' ? null : hexToIPv4(gw),
      metric: Number.parseInt(metric, 10) || 0,
      family: 4,
    });
  }
  return out.sort((a, b) => a.metric - b.metric);
}

/** IPv6 default routes (::/0, up, not reject, not on lo), lowest metric first. */
export function parseProcNetIpv6Route(text: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, plen, , , nexthop, metric, , , flags, iface] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const fl = Number.parseInt(flags, 16);
    if (!/^0{32}$/.test(dest) || plen !== '00' || iface === 'lo' || !(fl & RTF_UP) || fl & RTF_REJECT) continue;
    out.push({
      iface,
      gateway: /^0{32}$/.test(nexthop) ? null : hexToIPv6(nexthop),
      metric: Number.parseInt(metric, 16) || 0,
      family: 6,
    });
  }
  return out.sort((a, b) => a.metric - b.metric);
}

/** Interface names that are tunnels: VPN clients (OpenVPN tun/tap, WireGuard, macOS utun, PPP, IPsec, GlobalProtect, ZeroTier, Tailscale). */
export const TUNNEL_NAME = /^(tun|tap|wg|utun|ppp|ipsec|gpd|zt|tailscale)/i;

export function isTunnelName(name: string): boolean {
  return TUNNEL_NAME.test(name);
}
