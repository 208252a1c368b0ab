/**
 * Parsers for what macOS prints about outbound filtering. The application firewall
 * (socketfilterfw) filters inbound only; outbound blocks come from pf rules or from network
 * system extensions (Little Snitch, LuLu, endpoint-security products).
 *
 * References:
 * - pf.conf(5) rule syntax and `quick` / last-match semantics, pfctl(8): https://man.openbsd.org/pf.conf ,
 *   https://man.openbsd.org/pfctl (macOS ships an older pf with the same rule grammar and `pfctl -sr` output)
 * - systemextensionsctl(8) on macOS: `systemextensionsctl list`
 */

export interface PfBlockRule {
  /** The rule as pfctl -sr printed it. */
  text: string;
  quick: boolean;
  /** Evaluated before the `anchor "com.apple/*"` rule (a quick block there wins over Pathcheck's anchor). */
  beforeAppleAnchor: boolean;
  protocol: 'udp' | 'tcp' | 'any';
  /** null = every port. */
  ports: Array<[number, number]> | null;
}

export interface PfRuleset {
  /** The main ruleset evaluates `anchor "com.apple/*"` (the stock /etc/pf.conf does). */
  appleAnchor: boolean;
  /** Block rules that apply to outbound packets (direction out, or no direction). */
  outboundBlocks: PfBlockRule[];
}

const APPLE_ANCHOR = /^anchor "com\.apple\/\*"/;

function portsOf(rule: string): Array<[number, number]> | null {
  // Only the destination port counts: take what follows " to ".
  const to = rule.indexOf(' to ');
  const dst = to >= 0 ? rule.slice(to + 4) : rule;
  const out: Array<[number, number]> = [];
  const re = /port (?:= (\d+)|(\d+):(\d+)|(\d+) >< (\d+)|(\d+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(dst))) {
    if (m[1]) out.push([Number(m[1]), Number(m[1])]);
    else if (m[2]) out.push([Number(m[2]), Number(m[3])]);
    else if (m[4]) out.push([Number(m[4]) + 1, Number(m[5]) - 1]);
    else if (m[6]) out.push([Number(m[6]), Number(m[6])]);
  }
  if (out.length) return out;
  return /\bport\b/.test(dst) ? [] : null; // a port form we do not read (>, <, !=): matches nothing we can name
}

/** `pfctl -sr` (the main ruleset, one rule per line, braces expanded by pfctl). */
export function parsePfRules(text: string): PfRuleset {
  let appleAnchor = false;
  const outboundBlocks: PfBlockRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (APPLE_ANCHOR.test(line)) {
      appleAnchor = true;
      continue;
    }
    if (!/^block\b/.test(line)) continue;
    if (/\bin\b/.test(line.split(' from ')[0] ?? '') && !/\bout\b/.test(line)) continue;
    const proto = /\bproto (udp|tcp)\b/.exec(line)?.[1] as 'udp' | 'tcp' | undefined;
    if (/\bproto\b/.test(line) && !proto) continue; // icmp and friends do not carry media
    outboundBlocks.push({
      text: line,
      quick: /\bquick\b/.test(line),
      beforeAppleAnchor: !appleAnchor,
      protocol: proto ?? 'any',
      ports: portsOf(line),
    });
  }
  return { appleAnchor, outboundBlocks };
}

export interface SystemExtension {
  enabled: boolean;
  active: boolean;
  teamId: string;
  bundleId: string;
  name: string;
  /** e.g. `activated enabled`, `terminated waiting to uninstall on reboot`. */
  state: string;
  /** The `--- <category>` heading it was listed under. */
  category: string;
}

/** `systemextensionsctl list`: tab-separated rows under `--- <category>` headings. */
export function parseSystemExtensions(text: string): SystemExtension[] {
  const out: SystemExtension[] = [];
  let category = '';
  for (const raw of text.split(/\r?\n/)) {
    const heading = /^---\s+(\S+)/.exec(raw);
    if (heading) {
      category = heading[1] ?? '';
      continue;
    }
    const cols = raw.split('\t');
    if (cols.length < 6 || cols[0]?.startsWith('enabled')) continue;
    const state = /\[([^\]]*)\]/.exec(cols.slice(5).join('\t'))?.[1] ?? '';
    out.push({
      enabled: cols[0]?.trim() === '*',
      active: cols[1]?.trim() === '*',
      teamId: cols[2]?.trim() ?? '',
      bundleId: (cols[3] ?? '').trim().replace(/\s*\(.*\)$/, ''),
      name: (cols[4] ?? '').trim(),
      state,
      category,
    });
  }
  return out;
}

export interface OutboundFilter {
  product: 'Little Snitch' | 'LuLu' | 'network extension';
  name: string;
  bundleId: string;
}

const KNOWN: Array<[RegExp, OutboundFilter['product']]> = [
  [/^at\.obdev\.littlesnitch\b/, 'Little Snitch'],
  [/^com\.objective-see\.lulu\b/, 'LuLu'],
];

/** Network extensions that are running (activated and enabled) and are not Apple's own. */
export function outboundFilters(exts: SystemExtension[]): OutboundFilter[] {
  return exts
    .filter((e) => e.enabled && e.active && /activated enabled/.test(e.state) && !e.bundleId.startsWith('com.apple.'))
    .filter(
      (e) => e.category === '' || /network_extension/.test(e.category) || KNOWN.some(([re]) => re.test(e.bundleId)),
    )
    .map((e) => ({
      product: KNOWN.find(([re]) => re.test(e.bundleId))?.[1] ?? 'network extension',
      name: e.name,
      bundleId: e.bundleId,
    }));
}
