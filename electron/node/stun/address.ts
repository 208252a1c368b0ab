/**
 * IP address text <-> bytes, without sockets (the codec must stay pure).
 * IPv6 output is the RFC 5952 canonical form, so addresses compare as strings.
 */

export type IpFamily = 'IPv4' | 'IPv6';

/** A transport address as carried by (XOR-)MAPPED-ADDRESS and friends. */
export interface TransportAddress {
  family: IpFamily;
  address: string;
  port: number;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(input: string): Uint8Array | null {
  let text = input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const groups: number[] = [];
  let tail4: Uint8Array | null = null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseHalf = (half: string, allowV4: boolean): number[] | null => {
    if (half === '') return [];
    const parts = half.split(':');
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (allowV4 && i === parts.length - 1 && p.includes('.')) {
        tail4 = parseIpv4(p);
        if (!tail4) return null;
        out.push((tail4[0]! << 8) | tail4[1]!, (tail4[2]! << 8) | tail4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  if (halves.length === 1) {
    const all = parseHalf(halves[0]!, true);
    if (!all || all.length !== 8) return null;
    groups.push(...all);
  } else {
    const head = parseHalf(halves[0]!, false);
    const tail = parseHalf(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Text to bytes (4 or 16), or null when the text is not an IP literal. */
export function ipToBytes(text: string): Uint8Array | null {
  if (text.includes(':')) return parseIpv6(text);
  return parseIpv4(text);
}

/** Which family a literal belongs to, or null for a host name. */
export function ipFamily(text: string): IpFamily | null {
  const b = ipToBytes(text);
  return b ? (b.length === 4 ? 'IPv4' : 'IPv6') : null;
}

/** Bytes to text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i]! << 8) | bytes[i + 1]!);
  // IPv4-mapped addresses print their tail as a dotted quad (RFC 5952 §5).
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of an IP literal (so '::0001' and '::1' compare equal); host names pass through. */
export function canonicalIp(text: string): string {
  const b = ipToBytes(text);
  return b ? bytesToIp(b) : text;
}

/** 'host:port' or '[v6]:port' for logs and evidence. */
export function formatAddress(a: { address: string; port: number }): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/**
 * Addresses that are never a real peer on the Internet (RFC 6890 and the IANA special-purpose
 * registries): nothing a STUN/TURN server says about them can be believed, and nothing should be
 * sent there because a server said so. Private ranges (10/8, fc00::/7 …) are not listed: an
 * on-premises TURN server legitimately lives there.
 */
export type SpecialUse =
  'unspecified' | 'loopback' | 'link-local' | 'multicast' | 'broadcast' | 'reserved' | 'documentation';

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is judged by its IPv4 address. */
function v4Of(b: Uint8Array): Uint8Array | null {
  if (b.length === 4) return b;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return null;
  return b[10] === 0xff && b[11] === 0xff ? b.subarray(12) : null;
}

/** Which special use an IP literal has, or null for an ordinary (public or private) address or a name. */
export function specialUse(text: string): SpecialUse | null {
  const b = ipToBytes(text);
  if (!b) return null;
  const v4 = v4Of(b);
  if (v4) {
    const [a, c] = [v4[0]!, v4[1]!];
    if (v4.every((x) => x === 255)) return 'broadcast';
    if (a === 0) return 'unspecified'; // 0.0.0.0/8: "this network", never a destination or a source seen by a server
    if (a === 127) return 'loopback';
    if (a === 169 && c === 254) return 'link-local';
    if (a >= 224 && a <= 239) return 'multicast';
    if (a >= 240) return 'reserved';
    if (
      (a === 192 && c === 0 && v4[2] === 2) ||
      (a === 198 && c === 51 && v4[2] === 100) ||
      (a === 203 && c === 0 && v4[2] === 113)
    )
      return 'documentation';
    return null;
  }
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.subarray(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback';
  if (b[0] === 0xff) return 'multicast';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local';
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return 'documentation';
  return null;
}

/** Whether the IP literal `ip` lies in `cidr` (`10.0.0.0/8`, `2001:db8::/32`, or a bare address). */
export function inCidr(ip: string, cidr: string): boolean {
  const slash = cidr.indexOf('/');
  const net = ipToBytes(slash < 0 ? cidr : cidr.slice(0, slash));
  let addr = ipToBytes(ip);
  if (!net || !addr) return false;
  if (addr.length !== net.length) {
    const v4 = v4Of(addr);
    if (!v4 || net.length !== 4) return false;
    addr = v4;
  }
  const bits = slash < 0 ? net.length * 8 : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > net.length * 8) return false;
  for (let i = 0; i < net.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if ((addr[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

/**
 * Why a (XOR-)MAPPED or XOR-RELAYED address in an answer from `server` (an IP literal) cannot be
 * right, or null when it can. Port 0, the unspecified, broadcast and multicast addresses never are;
 * loopback only when the server itself is on loopback (a test server on this machine sees us there).
 */
export function answerAddressProblem(a: TransportAddress, server: string): string | null {
  const use = specialUse(a.address);
  if (a.port === 0) return `${formatAddress(a)} has port 0`;
  if (use === 'unspecified' || use === 'broadcast' || use === 'multicast')
    return `${formatAddress(a)} is a ${use} address`;
  if (use === 'loopback' && specialUse(server) !== 'loopback')
    return `${formatAddress(a)} is a loopback address, but the server is not on this computer`;
  return null;
}

/** Why a destination is refused: it cannot be a peer at all, or it is only outside what the profile vouches for. */
export interface DestinationRefusal {
  kind: 'special' | 'untrusted';
  message: string;
}

/**
 * Why Pathcheck must not send to `dest` (an address a server named: OTHER-ADDRESS, XOR-RELAYED-ADDRESS),
 * or null when it may. Allowed: the server's own address, or an address inside `trusted` (the profile's
 * address ranges for this provider). Never a special-purpose address, unless the server itself has the
 * same kind (a test server on loopback naming another loopback address of this computer).
 */
export function destinationProblem(
  dest: TransportAddress,
  server: string,
  trusted: readonly string[] = [],
): DestinationRefusal | null {
  const use = specialUse(dest.address);
  const special = (why: string): DestinationRefusal => ({ kind: 'special', message: `${formatAddress(dest)} ${why}` });
  if (dest.port === 0) return special('has port 0');
  if (use === 'unspecified' || use === 'broadcast' || use === 'multicast' || use === 'reserved')
    return special(`is a ${use} address`);
  if (use && use !== specialUse(server)) return special(`is a ${use} address`);
  if (use || canonicalIp(dest.address) === canonicalIp(server)) return null;
  if (trusted.some((c) => inCidr(dest.address, c))) return null;
  return {
    kind: 'untrusted',
    message: `${formatAddress(dest)} is neither the server's own address nor inside the address ranges the profile gives for this provider`,
  };
}
