/**
 * Strict validators for values that end up in network calls, reports and — most importantly —
 * firewall rules. Everything here is pure and allow-list based: a value either matches the exact
 * grammar or is refused. Nothing is "cleaned up"; hostile input is rejected, never rewritten.
 */

/** RFC 1123 hostname: dot-separated LDH labels, 1-63 chars each, 253 total; ASCII only. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const v = value.endsWith('.') ? value.slice(0, -1) : value;
  const labels = v.split('.');
  if (labels.some((l) => !LABEL.test(l))) return false;
  // A dotted quad is an address, not a name.
  return !/^\d+(\.\d+){3}$/.test(v);
}

/** Wildcard names (`*.zoom.us`) appear in provider docs and in proxy/PAC rules. */
export function isWildcardHostname(value: string): boolean {
  return value.startsWith('*.') && isHostname(value.slice(2));
}

export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 in RFC 4291 text form (with :: compression and optional embedded IPv4); no zone ids. */
export function isIPv6(value: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(value) || value.length > 45) return false;
  let v = value;
  let extra = 0;
  const lastColon = v.lastIndexOf(':');
  if (v.includes('.')) {
    if (!isIPv4(v.slice(lastColon + 1))) return false;
    v = v.slice(0, lastColon + 1) + '0:0';
    extra = 0;
  }
  const dbl = v.split('::');
  if (dbl.length > 2) return false;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(dbl[0] ?? '');
  const tail = dbl.length === 2 ? groups(dbl[1] ?? '') : [];
  const all = [...head, ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  const count = all.length + extra;
  return dbl.length === 2 ? count < 8 : count === 8;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

export function ipFamily(value: string): 4 | 6 | null {
  if (isIPv4(value)) return 4;
  if (isIPv6(value)) return 6;
  return null;
}

/** `a.b.c.d/n` (0-32) or `v6/n` (0-128); a bare address counts as a host route. */
export function isCidr(value: string, family?: 4 | 6): boolean {
  const [addr, len, ...rest] = value.split('/');
  if (rest.length > 0 || addr === undefined) return false;
  const fam = ipFamily(addr);
  if (fam === null || (family !== undefined && fam !== family)) return false;
  if (len === undefined) return true;
  if (!/^(0|[1-9]\d{0,2})$/.test(len)) return false;
  return Number(len) <= (fam === 4 ? 32 : 128);
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
