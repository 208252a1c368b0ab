import { isCidr, isHostname, isIPv4, isIPv6, isPort, isWildcardHostname } from '../net/validate';
import type { PortRange } from '../net/ranges';
import { FIREWALL_TAG, FirewallInputError } from './types';
import type { FirewallInput, FirewallRequirement, NftChainHint, RelayHost } from './types';

/**
 * Allow-list checks for every value that can reach generated rule text. Each check either passes
 * the value through unchanged or throws `FirewallInputError` naming the field — nothing is escaped,
 * trimmed or rewritten, so what the admin sees is exactly what was validated.
 */

/** Printable ASCII without space: the outer fence before the grammar checks (stops look-alikes, NUL, newlines). */
const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;
/** Rule / object names: fixed alphabet, starts with a letter. */
export const RULE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
/** Human purpose text: words, digits and a few inert punctuation marks; single spaces only. */
const PURPOSE = /^[A-Za-z0-9][A-Za-z0-9.,:/+-]*( [A-Za-z0-9.,:/+-]+)*$/;
/** Check ids, e.g. `turn:udp:turn.example.com:3478`, `udp-range:group`, `x:[2001:db8::1]:3478`. */
const CHECK_ID = /^[A-Za-z0-9][A-Za-z0-9._:/[\]-]{0,199}$/;
const PROFILE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** nft table/chain identifiers as nft's scanner accepts them unquoted. */
const NFT_IDENT = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The widest destination a rule may name: a prefix shorter than this opens a large part of the
 * internet (0.0.0.0/0 everything). Peers that can be anywhere are expressed by `anyDestination`,
 * never by a wide CIDR, so the "any" case stays explicit and visible.
 */
export const MIN_PREFIX = { 4: 8, 6: 16 } as const;

/**
 * Public suffixes under which names belong to unrelated owners (`*.co.uk` is every British company).
 * Single labels (`com`, `*.com`) are refused by rule; this list adds the common two-label suffixes.
 */
const PUBLIC_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'ltd.uk',
  'plc.uk',
  'net.uk',
  'com.au',
  'net.au',
  'org.au',
  'edu.au',
  'gov.au',
  'co.nz',
  'org.nz',
  'net.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'go.jp',
  'co.kr',
  'or.kr',
  'com.cn',
  'net.cn',
  'org.cn',
  'gov.cn',
  'com.br',
  'net.br',
  'org.br',
  'com.mx',
  'com.ar',
  'com.tr',
  'com.tw',
  'com.hk',
  'com.sg',
  'com.my',
  'co.in',
  'net.in',
  'org.in',
  'co.za',
  'org.za',
  'co.il',
  'org.il',
  'com.ua',
  'com.pl',
  'com.ru',
  'co.id',
  'github.io',
  'herokuapp.com',
  'cloudfront.net',
  'amazonaws.com',
  'azurewebsites.net',
  'appspot.com',
  'blogspot.com',
]);

/**
 * Size caps for what rule generation accepts. A real report blocks a handful of requirements; these
 * bound the work (and the text an admin must read) for a damaged or hostile one, with a clear error.
 */
export const LIMITS = {
  /** Entries in a report's `firewall.blocked`. */
  blockedEntries: 100_000,
  /** Entries in one blocked entry's `to`, `ports` or `checks`. */
  perEntryList: 1024,
  /** Merged requirements (the elevated script takes at most 256 rules). */
  requirements: 256,
  destinationsPerRequirement: 512,
  portRangesPerRequirement: 64,
  checksPerRequirement: 1024,
  relayHosts: 128,
  /** nftables chains rules go into (the elevated script takes at most 16). */
  nftChains: 16,
} as const;

function fail(field: string, reason: string): never {
  throw new FirewallInputError(field, reason);
}

function token(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, 'must be a string');
  if (!PRINTABLE_TOKEN.test(value)) fail(field, 'contains a space, control, quote-like or non-ASCII character');
  return value;
}

/** Refuses a CIDR wider than `MIN_PREFIX` (a bare address is a host route and always fine). */
function checkPrefix(v: string, family: 4 | 6, field: string): void {
  const len = v.split('/')[1];
  if (len !== undefined && Number(len) < MIN_PREFIX[family]) {
    fail(
      field,
      `${v} would open ${Number(len) === 0 ? 'every' : 'a large part of all'} IPv${family} address${Number(len) === 0 ? '' : 'es'}; a rule destination must be /${MIN_PREFIX[family]} or narrower`,
    );
  }
}

/** The same name as a rule must spell it: lower case, no trailing root dot (PAC and squid compare exactly). */
export function normalizeHostname(name: string): string {
  const v = name.toLowerCase();
  return v.endsWith('.') ? v.slice(0, -1) : v;
}

/** Refuses names that stand for whole top-level or public-suffix domains (`com`, `*.com`, `co.uk`, `*.co.uk`). */
function checkNameBreadth(v: string, field: string): void {
  const bare = normalizeHostname(v.startsWith('*.') ? v.slice(2) : v);
  const labels = bare.split('.');
  if (labels.length < 2)
    fail(
      field,
      `${v} names a whole top-level domain or a single-label name; a rule destination must be a host or a domain someone owns`,
    );
  if (PUBLIC_SUFFIXES.has(bare))
    fail(
      field,
      `${v} is a public suffix shared by unrelated owners; a rule destination must be a host or a domain someone owns`,
    );
}

export function checkCidr(value: unknown, family: 4 | 6, field: string): string {
  const v = token(value, field);
  if (!isCidr(v, family)) fail(field, `not an IPv${family} address or CIDR`);
  checkPrefix(v, family, field);
  return v;
}

/** An entry of a report's `to`: an IPv4/IPv6 address or CIDR, a host name or a `*.` wildcard name. */
export function classifyDestination(value: unknown, field: string): { kind: 4 | 6 | 'host'; value: string } {
  const v = token(value, field);
  const family = v.includes(':') ? 6 : 4;
  if (isCidr(v, family)) {
    checkPrefix(v, family, field);
    return { kind: family, value: v };
  }
  if (isHostname(v) || isWildcardHostname(v))
    return { kind: 'host', value: normalizeHostname(checkHostname(v, field, true)) };
  return fail(field, 'not an IP address, CIDR or host name');
}

/** A host name (or `*.` wildcard when allowed) that names something narrower than a public suffix. */
export function checkHostname(value: unknown, field: string, allowWildcard = false): string {
  const v = token(value, field);
  if (!(isHostname(v) || (allowWildcard && isWildcardHostname(v)))) fail(field, 'not a valid host name');
  checkNameBreadth(v, field);
  return v;
}

/** A server as a profile names it: a host name, or an IPv4 / IPv6 literal (no CIDR, no brackets, no zone). */
export function checkHost(value: unknown, field: string, allowWildcard = false): string {
  const v = token(value, field);
  if (isIPv4(v) || isIPv6(v)) return v;
  if (!(isHostname(v) || (allowWildcard && isWildcardHostname(v)))) fail(field, 'not a valid host name or IP address');
  checkNameBreadth(v, field);
  return v;
}

export function checkPort(value: unknown, field: string): number {
  if (!isPort(value)) fail(field, 'must be an integer port 1-65535');
  return value;
}

export function checkPortRange(value: unknown, field: string): PortRange {
  if (!Array.isArray(value) || value.length !== 2) fail(field, 'must be a [from, to] pair');
  const a = checkPort(value[0], `${field}[0]`);
  const b = checkPort(value[1], `${field}[1]`);
  if (a > b) fail(field, 'range start is greater than its end');
  return [a, b];
}

export function checkPurpose(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, 'must be a string');
  if (value.length > 120 || !PURPOSE.test(value))
    fail(field, 'only letters, digits, single spaces and . , : / + - are allowed');
  return value;
}

export function checkCheckId(value: unknown, field: string): string {
  const v = token(value, field);
  if (!CHECK_ID.test(v)) fail(field, 'not a valid check id');
  return v;
}

export function checkRuleName(value: unknown, field: string): string {
  const v = token(value, field);
  if (!RULE_NAME.test(v)) fail(field, 'rule names use letters, digits, _ and - only');
  return v;
}

export function checkProfileId(value: unknown, field: string): string {
  const v = token(value, field);
  if (!PROFILE_ID.test(v)) fail(field, 'not a valid profile id');
  return v;
}

export function checkNftHint(h: NftChainHint, field: string): void {
  if (h === null || typeof h !== 'object') fail(field, 'must be an object');
  if (!['inet', 'ip', 'ip6'].includes(h.family)) fail(`${field}.family`, 'must be inet, ip or ip6');
  if (!NFT_IDENT.test(token(h.table, `${field}.table`))) fail(`${field}.table`, 'not a plain nft identifier');
  if (!NFT_IDENT.test(token(h.chain, `${field}.chain`))) fail(`${field}.chain`, 'not a plain nft identifier');
}

function checkRequirement(r: FirewallRequirement, f: string): void {
  checkRuleName(r.name, `${f}.name`);
  if (r.protocol !== 'udp' && r.protocol !== 'tcp') fail(`${f}.protocol`, 'must be udp or tcp');
  if (!Array.isArray(r.ports) || r.ports.length === 0) fail(`${f}.ports`, 'needs at least one port range');
  r.ports.forEach((p, i) => checkPortRange(p, `${f}.ports[${i}]`));
  r.ipv4.forEach((c, i) => checkCidr(c, 4, `${f}.ipv4[${i}]`));
  r.ipv6.forEach((c, i) => checkCidr(c, 6, `${f}.ipv6[${i}]`));
  r.hostnames.forEach((h, i) => checkHostname(h, `${f}.hostnames[${i}]`, true));
  r.purposes.forEach((p, i) => checkPurpose(p, `${f}.purposes[${i}]`));
  r.checks.forEach((c, i) => checkCheckId(c, `${f}.checks[${i}]`));
  if (typeof r.anyDestination !== 'boolean') fail(`${f}.anyDestination`, 'must be a boolean');
  const dests = r.ipv4.length + r.ipv6.length + r.hostnames.length;
  if (r.anyDestination && dests > 0)
    fail(`${f}.anyDestination`, 'a requirement open to any destination lists no destinations');
  if (!r.anyDestination && dests === 0)
    fail(`${f}.anyDestination`, 'a requirement without destinations must say anyDestination: true');
  if (dests > LIMITS.destinationsPerRequirement)
    fail(f, `${dests} destinations; at most ${LIMITS.destinationsPerRequirement} per requirement`);
  if (r.ports.length > LIMITS.portRangesPerRequirement)
    fail(`${f}.ports`, `${r.ports.length} port ranges; at most ${LIMITS.portRangesPerRequirement}`);
  if (r.checks.length > LIMITS.checksPerRequirement)
    fail(`${f}.checks`, `${r.checks.length} check ids; at most ${LIMITS.checksPerRequirement}`);
}

function checkRelayHost(h: RelayHost, f: string): void {
  checkHost(h.host, `${f}.host`, true);
  h.ports.forEach((p, i) => checkPort(p, `${f}.ports[${i}]`));
  if (h.role !== 'turn' && h.role !== 'signaling') fail(`${f}.role`, 'must be turn or signaling');
}

/**
 * Re-validates a whole `FirewallInput` (generators call this first), so an input built by hand or
 * received over IPC gets exactly the same checks as one built by `buildFirewallInput`.
 */
export function assertValidInput(input: FirewallInput): void {
  if (input.tag !== FIREWALL_TAG) fail('tag', `must be "${FIREWALL_TAG}"`);
  checkProfileId(input.profileId, 'profileId');
  if (!['local', 'perimeter', 'proxy', 'unknown'].includes(input.layer)) fail('layer', 'unknown layer');
  if (!Array.isArray(input.requirements) || input.requirements.length > LIMITS.requirements)
    fail('requirements', `must be a list of at most ${LIMITS.requirements}`);
  if (!Array.isArray(input.relayHosts) || input.relayHosts.length > LIMITS.relayHosts)
    fail('relayHosts', `must be a list of at most ${LIMITS.relayHosts}`);
  input.requirements.forEach((r, i) => checkRequirement(r, `requirements[${i}]`));
  input.relayHosts.forEach((h, i) => checkRelayHost(h, `relayHosts[${i}]`));
  if (input.proxy) {
    const h = token(input.proxy.host, 'proxy.host');
    if (!isHostname(h) && !isIPv4(h) && !isIPv6(h)) fail('proxy.host', 'not a host name or IP address');
    checkPort(input.proxy.port, 'proxy.port');
  }
  if (input.nft) checkNftHint(input.nft, 'nft');
  if (input.nftChains !== undefined) {
    if (!Array.isArray(input.nftChains) || input.nftChains.length > LIMITS.nftChains)
      fail('nftChains', `must be a list of at most ${LIMITS.nftChains}`);
    input.nftChains.forEach((h, i) => checkNftHint(h, `nftChains[${i}]`));
  }
  if (input.iptablesVariants !== undefined) {
    if (!Array.isArray(input.iptablesVariants) || input.iptablesVariants.length > 2)
      fail('iptablesVariants', 'must be a list of at most 2');
    input.iptablesVariants.forEach((v, i) => {
      if (v !== 'legacy' && v !== 'nft') fail(`iptablesVariants[${i}]`, 'must be legacy or nft');
    });
  }
}
