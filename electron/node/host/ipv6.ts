/**
 * IPv6 host facts, from pure parsers (fed by facts.ts): which addresses this machine has and of
 * what kind (global, ULA, link-local; temporary "privacy" addresses, RFC 8981), whether it has an
 * IPv6 default route, and whether a VPN tunnel carries IPv6 — or IPv4 only, with IPv6 leaving
 * beside it. A machine without a global (or ULA) address and a default route cannot use IPv6 for
 * media, so the engine runs IPv6 variants of the checks only where `usable` is true.
 */
import net from 'node:net';
import type { DefaultRoute } from './routes';
import { hexToIPv6, isTunnelName } from './routes';

export type Ipv6Scope = 'global' | 'ula' | 'link' | 'host' | 'other';

/** One IPv6 address with the flags the kernel (or ifconfig) reports. */
export interface Ipv6AddressInfo {
  iface: string;
  address: string;
  prefixLength: number;
  scope: Ipv6Scope;
  /** RFC 8981 temporary ("privacy") address: what outgoing connections use by default. */
  temporary: boolean;
  /** Preferred lifetime over: kept for existing connections, not used for new ones. */
  deprecated: boolean;
  /** Duplicate address detection still running or failed: not usable yet. */
  tentative: boolean;
}

/** The scope an address has by its prefix (RFC 4291, RFC 4193). */
export function ipv6ScopeOf(address: string): Ipv6Scope {
  if (net.isIP(address) !== 6) return 'other';
  const a = address.toLowerCase();
  if (a === '::1') return 'host';
  const first = Number.parseInt(expandFirstGroup(a), 16);
  if ((first & 0xffc0) === 0xfe80) return 'link';
  if ((first & 0xfe00) === 0xfc00) return 'ula';
  if ((first & 0xe000) === 0x2000) return 'global';
  return 'other';
}

function expandFirstGroup(a: string): string {
  if (a.startsWith('::')) return '0';
  return a.split(':')[0] || '0';
}

// /proc/net/if_inet6 prints the low 8 bits of ifa_flags (include/uapi/linux/if_addr.h).
const IFA_F_TEMPORARY = 0x01;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;

/**
 * Parses Linux /proc/net/if_inet6 ("address ifindex prefixlen scope flags name", hex fields), the
 * same data `ip -6 addr` shows. Malformed lines are skipped; at most 1024 lines are read.
 */
export function parseIfInet6(text: string): Ipv6AddressInfo[] {
  const out: Ipv6AddressInfo[] = [];
  for (const line of text.split('\n').slice(0, 1024)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [hex, , plen, , flagsHex, iface] = f as [string, string, string, string, string, string];
    if (!/^[0-9a-f]{32}$/i.test(hex) || !/^[0-9a-f]{1,2}$/i.test(plen) || !/^[0-9a-f]{1,8}$/i.test(flagsHex)) continue;
    const address = hexToIPv6(hex.toLowerCase());
    const flags = Number.parseInt(flagsHex, 16);
    out.push({
      iface,
      address,
      prefixLength: Number.parseInt(plen, 16),
      scope: ipv6ScopeOf(address),
      temporary: (flags & IFA_F_TEMPORARY) !== 0,
      deprecated: (flags & IFA_F_DEPRECATED) !== 0,
      tentative: (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) !== 0,
    });
  }
  return out;
}

/**
 * Parses the `inet6` lines of macOS/BSD `ifconfig` output ("inet6 2001:db8::1 prefixlen 64
 * autoconf temporary"), interface names from the unindented "en0: flags=…" lines.
 */
export function parseIfconfigInet6(text: string): Ipv6AddressInfo[] {
  const out: Ipv6AddressInfo[] = [];
  let iface = '';
  for (const line of text.split('\n').slice(0, 4096)) {
    const head = /^([A-Za-z0-9_.-]+):\s+flags=/.exec(line);
    if (head) {
      iface = head[1]!;
      continue;
    }
    const m = /^\s+inet6\s+([0-9A-Fa-f:.]+)(?:%\S+)?\s+prefixlen\s+(\d{1,3})(.*)$/.exec(line);
    if (!m || !iface) continue;
    const address = m[1]!.toLowerCase();
    if (net.isIP(address) !== 6) continue;
    const words = new Set((m[3] ?? '').trim().split(/\s+/));
    out.push({
      iface,
      address,
      prefixLength: Number(m[2]),
      scope: ipv6ScopeOf(address),
      temporary: words.has('temporary'),
      deprecated: words.has('deprecated'),
      tentative: words.has('tentative') || words.has('duplicated'),
    });
  }
  return out;
}

/** What the report says about IPv6 on this machine. */
export interface Ipv6Facts {
  /** A global or ULA address that is not tentative, and an IPv6 default route: IPv6 can be tried. */
  usable: boolean;
  defaultRoute: { iface: string; gateway: string | null } | null;
  /** Global and ULA addresses outside loopback (link-local ones cannot reach a server). */
  addresses: Array<Pick<Ipv6AddressInfo, 'iface' | 'address' | 'scope' | 'temporary' | 'deprecated'>>;
  /** Temporary (privacy) addresses present: peers and servers see a changing source address. */
  temporaryAddresses: number;
  /** Tunnel interfaces with a global/ULA IPv6 address, or carrying the IPv6 default route. */
  tunnels: string[];
  /** The IPv4 default route uses a tunnel but IPv6 leaves through another interface. */
  bypassesVpn: boolean;
  notes: string[];
}

/** Combines addresses and default routes into the IPv6 facts; pure. */
export function ipv6Facts(addresses: Ipv6AddressInfo[], v4Routes: DefaultRoute[], v6Routes: DefaultRoute[]): Ipv6Facts {
  const routable = addresses.filter((a) => (a.scope === 'global' || a.scope === 'ula') && a.iface !== 'lo');
  const usableAddr = routable.filter((a) => !a.tentative);
  const def = v6Routes[0] ?? null;
  const tunnels = [
    ...new Set([
      ...routable.filter((a) => isTunnelName(a.iface)).map((a) => a.iface),
      ...(def && isTunnelName(def.iface) ? [def.iface] : []),
    ]),
  ];
  const v4Tunnel = v4Routes[0] !== undefined && isTunnelName(v4Routes[0].iface);
  const bypassesVpn =
    v4Tunnel && def !== null && !isTunnelName(def.iface) && usableAddr.some((a) => a.iface === def.iface);
  const usable = def !== null && usableAddr.some((a) => a.iface === def.iface || isTunnelName(def.iface));
  const temporaryAddresses = routable.filter((a) => a.temporary && !a.deprecated).length;
  const notes: string[] = [];
  if (!def && usableAddr.length > 0)
    notes.push('This machine has IPv6 addresses but no IPv6 default route, so IPv6 reaches only the local network.');
  if (def && usableAddr.length === 0)
    notes.push(`An IPv6 default route via ${def.iface} exists, but no global IPv6 address to use it with.`);
  if (!def && usableAddr.length === 0) notes.push('This machine has no IPv6 connectivity beyond link-local addresses.');
  if (temporaryAddresses > 0)
    notes.push(
      'Temporary (privacy) IPv6 addresses are in use: the source address of new connections changes over time, so firewall rules must not rely on it.',
    );
  if (bypassesVpn)
    notes.push(
      `The VPN carries IPv4 (default route via ${v4Routes[0]!.iface}), but IPv6 leaves directly through ${def!.iface}.`,
    );
  else if (tunnels.length > 0) notes.push(`The tunnel interface(s) ${tunnels.join(', ')} carry IPv6.`);
  return {
    usable,
    defaultRoute: def ? { iface: def.iface, gateway: def.gateway } : null,
    addresses: routable.map(({ iface, address, scope, temporary, deprecated }) => ({
      iface,
      address,
      scope,
      temporary,
      deprecated,
    })),
    temporaryAddresses,
    tunnels,
    bypassesVpn,
    notes,
  };
}
