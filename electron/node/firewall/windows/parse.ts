import { isIPv4, isIPv6 } from '#common/net/validate';
import { WINDOWS_PROFILE_COMMAND } from '../parse-other';
import type { FailedTraffic } from '../platform';

/**
 * Parsers for the Windows Defender Firewall and Windows Security Center read-outs. Each command asks
 * PowerShell for JSON with enum values cast to [string], so the parsers read enum names
 * (`Block`, `GroupPolicy`, `UDP`) and never localized words: a German Windows prints the same JSON
 * keys and values, only display names (which are shown, never matched) are translated.
 *
 * References:
 * - Get-NetFirewallRule / Get-NetFirewallPortFilter / Get-NetFirewallAddressFilter (NetSecurity):
 *   https://learn.microsoft.com/en-us/powershell/module/netsecurity/get-netfirewallrule
 * - Rule precedence (an enabled block rule wins over allow rules):
 *   https://learn.microsoft.com/en-us/windows/security/operating-system-security/network-security/windows-firewall/rules
 */

/**
 * Enabled outbound Block rules of the effective policy (ActiveStore: local + Group Policy + MDM),
 * with their port and address filters and where each rule comes from.
 */
const BLOCK_RULES_EXPR =
  'Get-NetFirewallRule -PolicyStore ActiveStore -Direction Outbound -Action Block -Enabled True -ErrorAction SilentlyContinue | ForEach-Object { ' +
  '$p = $_ | Get-NetFirewallPortFilter; $a = $_ | Get-NetFirewallAddressFilter; [pscustomobject]@{ ' +
  'Name = [string]$_.Name; DisplayName = [string]$_.DisplayName; PolicyStoreSourceType = [string]$_.PolicyStoreSourceType; ' +
  'PolicyStoreSource = [string]$_.PolicyStoreSource; Protocol = [string]$p.Protocol; ' +
  'RemotePort = @($p.RemotePort | ForEach-Object { [string]$_ }); RemoteAddress = @($a.RemoteAddress | ForEach-Object { [string]$_ }) } }';

/**
 * Firewalls registered with Windows Security Center (third-party products; Windows Defender
 * Firewall itself does not register here). root/SecurityCenter2 exists on client editions only.
 */
const PRODUCTS_EXPR =
  'Get-CimInstance -Namespace root/SecurityCenter2 -ClassName FirewallProduct -ErrorAction Stop | ForEach-Object { [pscustomobject]@{ ' +
  'displayName = [string]$_.displayName; productState = [int64]$_.productState; pathToSignedProductExe = [string]$_.pathToSignedProductExe } }';

/** The active profiles: parse-other's WINDOWS_PROFILE_COMMAND without its own ConvertTo-Json. */
const PROFILES_EXPR = WINDOWS_PROFILE_COMMAND.slice(0, WINDOWS_PROFILE_COMMAND.lastIndexOf(' | ConvertTo-Json'));

/**
 * All three read-outs in ONE PowerShell start (each start costs about a second, and the diagnosis
 * gives local detection only a few): `{ "profiles": [...], "blockRules": [...], "products": [...] | null }`.
 * products is null when Security Center cannot be read (Windows Server).
 */
export const WINDOWS_DETECT_COMMAND =
  `$profiles = @(${PROFILES_EXPR}); $blockRules = @(${BLOCK_RULES_EXPR}); $products = $null; ` +
  `try { $products = @(${PRODUCTS_EXPR}) } catch { $products = $null }; ` +
  '[pscustomobject]@{ profiles = $profiles; blockRules = $blockRules; products = $products } | ConvertTo-Json -Compress -Depth 4';

/** Splits the combined read-out into the texts each parser reads. */
export function splitWindowsDetect(text: string): { profiles: string; blockRules: string; products: string | null } {
  const data: unknown = JSON.parse(text.replace(/^\uFEFF/, '').trim() || '{}');
  const o = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const part = (v: unknown): string => JSON.stringify(v ?? []);
  return {
    profiles: part(o.profiles),
    blockRules: part(o.blockRules),
    products: o.products === null || o.products === undefined ? null : part(o.products),
  };
}

export type RuleSource = 'local' | 'group-policy' | 'mdm' | 'other';

export interface WindowsBlockRule {
  name: string;
  displayName: string;
  source: RuleSource;
  /** The GPO or store it came from, when Windows says (e.g. `contoso.local\\Workstation Firewall`). */
  sourceName: string;
  /** udp / tcp / any (a rule on another protocol is dropped by the parser: it cannot block UDP/TCP media). */
  protocol: 'udp' | 'tcp' | 'any';
  /** null = any port; keywords (RPC, …) are not media ports and are left out. */
  ports: Array<[number, number]> | null;
  /** null = any address (Any, Internet, …); else literal ranges as [family, low, high]. */
  addresses: AddressRange[] | null;
}

export type AddressRange = { family: 4 | 6; low: bigint; high: bigint };

export interface SecurityCenterProduct {
  name: string;
  enabled: boolean | null;
  exe: string;
}

/** The JSON PowerShell prints: nothing, one object, or an array of objects. */
function jsonList(text: string): Record<string, unknown>[] {
  const t = text.replace(/^\uFEFF/, '').trim();
  if (t === '') return [];
  const data: unknown = JSON.parse(t);
  const list = Array.isArray(data) ? data : [data];
  return list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];

function protocolOf(v: unknown): WindowsBlockRule['protocol'] | null {
  const s = String(v ?? 'Any')
    .trim()
    .toUpperCase();
  if (s === 'ANY' || s === '' || s === '256') return 'any';
  if (s === 'UDP' || s === '17') return 'udp';
  if (s === 'TCP' || s === '6') return 'tcp';
  return null;
}

function sourceOf(v: unknown): RuleSource {
  const s = String(v ?? '');
  if (s === 'Local' || s === 'None' || s === '0' || s === '1') return 'local';
  if (s === 'GroupPolicy' || s === '2') return 'group-policy';
  if (s === 'MDM' || s === '6') return 'mdm';
  return 'other';
}

/** `Any`, `3478`, `10000-60000`; keywords such as `RPC`, `IPHTTPSOut` are not media ports. */
function portsOf(v: unknown): WindowsBlockRule['ports'] {
  const out: Array<[number, number]> = [];
  for (const item of strings(v).flatMap((s) => s.split(','))) {
    const s = item.trim();
    if (s === '' || /^any$/i.test(s)) return null;
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
    if (!m) continue;
    const a = Number(m[1]);
    const b = Number(m[2] ?? m[1]);
    if (a >= 1 && b <= 65535 && a <= b) out.push([a, b]);
  }
  return out;
}

function ipToBig(ip: string): { family: 4 | 6; value: bigint } | null {
  if (isIPv4(ip)) return { family: 4, value: ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n) };
  if (!isIPv6(ip)) return null;
  let text = ip;
  if (text.includes('.')) {
    const at = text.lastIndexOf(':');
    const v4 = ipToBig(text.slice(at + 1));
    if (!v4) return null;
    text = `${text.slice(0, at + 1)}${(v4.value >> 16n).toString(16)}:${(v4.value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function prefixRange(base: { family: 4 | 6; value: bigint }, len: number): AddressRange | null {
  const bits = base.family === 4 ? 32 : 128;
  if (!Number.isInteger(len) || len < 0 || len > bits) return null;
  const host = (1n << BigInt(bits - len)) - 1n;
  return { family: base.family, low: base.value & ~host, high: (base.value & ~host) | host };
}

/** One Windows address filter entry: `1.2.3.4`, `10.0.0.0/255.0.0.0`, `10.0.0.0/8`, `a-b`, `2001:db8::/32`. */
export function parseWindowsAddress(entry: string): AddressRange | 'any' | null {
  const s = entry.trim();
  // Keywords cover addresses we cannot list (Internet, Intranet, DefaultGateway, LocalSubnet, DNS …): treat as matching.
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(s)) return 'any';
  const range = /^([^-/]+)-([^-/]+)$/.exec(s);
  if (range) {
    const a = ipToBig(range[1] ?? '');
    const b = ipToBig(range[2] ?? '');
    return a && b && a.family === b.family && a.value <= b.value
      ? { family: a.family, low: a.value, high: b.value }
      : null;
  }
  const [addr = '', mask] = s.split('/');
  const base = ipToBig(addr);
  if (!base) return null;
  if (mask === undefined) return { family: base.family, low: base.value, high: base.value };
  if (/^\d{1,3}$/.test(mask)) return prefixRange(base, Number(mask));
  const m = ipToBig(mask);
  if (!m || m.family !== 4) return null;
  const len = m.value.toString(2).replace(/0+$/, '').length;
  return prefixRange(base, m.value === 0n ? 0 : len);
}

export function parseWindowsBlockRules(text: string): WindowsBlockRule[] {
  const out: WindowsBlockRule[] = [];
  for (const r of jsonList(text)) {
    const protocol = protocolOf(r.Protocol);
    if (!protocol) continue;
    const entries = strings(r.RemoteAddress);
    let addresses: AddressRange[] | null = [];
    for (const e of entries.length ? entries : ['Any']) {
      const a = parseWindowsAddress(e);
      if (a === 'any') {
        addresses = null;
        break;
      }
      if (a) addresses.push(a);
    }
    out.push({
      name: String(r.Name ?? ''),
      displayName: String(r.DisplayName ?? r.Name ?? ''),
      source: sourceOf(r.PolicyStoreSourceType),
      sourceName: String(r.PolicyStoreSource ?? ''),
      protocol,
      ports: portsOf(r.RemotePort),
      addresses,
    });
  }
  return out;
}

/**
 * productState is an undocumented bit field; the widely used reading is the second byte:
 * 0x10/0x11 = on, 0x00/0x01 = off/snoozed. Anything else is reported as unknown.
 */
export function parseSecurityCenterFirewalls(text: string): SecurityCenterProduct[] {
  return jsonList(text).map((p) => {
    const state = Number(p.productState);
    const flag = Number.isFinite(state) ? (Math.trunc(state) >> 8) & 0xff : -1;
    return {
      name: String(p.displayName ?? 'unknown product'),
      enabled: flag === 0x10 || flag === 0x11 ? true : flag === 0x00 || flag === 0x01 ? false : null,
      exe: String(p.pathToSignedProductExe ?? ''),
    };
  });
}

/** True when the block rule would drop some of this traffic (ports and addresses overlap). */
export function blockRuleMatches(rule: WindowsBlockRule, traffic: FailedTraffic): boolean {
  if (rule.protocol !== 'any' && rule.protocol !== traffic.protocol) return false;
  if (rule.ports !== null && !rule.ports.some(([a, b]) => traffic.ports.some(([c, d]) => a <= d && c <= b)))
    return false;
  if (rule.addresses === null || traffic.addresses.length === 0) return true;
  return traffic.addresses.some((addr) => {
    const t = parseWindowsAddress(addr);
    if (t === null || t === 'any') return true;
    return rule.addresses!.some((r) => r.family === t.family && r.low <= t.high && t.low <= r.high);
  });
}
