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
  for (let i = 0; i < 8; ) {
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
