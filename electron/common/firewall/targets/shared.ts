import type { PortRange } from '../../net/ranges';
import type { FirewallInput, FirewallRequirement } from '../types';
import type { TargetFacts } from './target';

/**
 * Helpers shared by the per-target generators: comment headers, port lists and the decision of
 * which destinations a target can express. Values reaching here are already validated, so these
 * helpers only format — they never escape.
 */

/** Destinations one rule will use on a given target. */
export interface RuleDestinations {
  req: FirewallRequirement;
  v4: string[];
  v6: string[];
  /** Host names the target will match (only targets that support FQDNs). */
  hosts: string[];
  any: boolean;
}

export interface PlannedRules {
  rules: RuleDestinations[];
  /** Comment lines (without prefix) about skipped host names, any-destination rules, etc. */
  remarks: string[];
}

/**
 * Decides destinations per requirement. Targets without host-name support get address ranges only;
 * a rule that only had host names is skipped and flagged. FQDN-capable targets use names only when
 * no address range is known (addresses are more reliable than DNS at the firewall).
 */
export function planDestinations(
  input: FirewallInput,
  target: Pick<TargetFacts, 'label' | 'supportsHostnames' | 'supportsWildcards'>,
): PlannedRules {
  const { label, supportsHostnames } = target;
  const wildcards = target.supportsWildcards === true;
  const rules: RuleDestinations[] = [];
  const remarks: string[] = [];
  for (const r of input.requirements) {
    const hasIp = r.ipv4.length + r.ipv6.length > 0;
    if (r.anyDestination) {
      remarks.push(`${r.name}: the report names no destination, so this rule allows any destination on these ports`);
      rules.push({ req: r, v4: [], v6: [], hosts: [], any: true });
      continue;
    }
    if (hasIp) {
      if (r.hostnames.length > 0)
        remarks.push(`${r.name}: ${r.hostnames.join(', ')} covered by the profile's address ranges`);
      rules.push({ req: r, v4: r.ipv4, v6: r.ipv6, hosts: [], any: false });
      continue;
    }
    const usable = supportsHostnames ? r.hostnames.filter((h) => wildcards || !h.startsWith('*.')) : [];
    const dropped = r.hostnames.filter((h) => !usable.includes(h));
    if (dropped.length > 0) {
      remarks.push(
        `${r.name}: host names are not supported by ${label}: ${dropped.join(', ')} skipped (add the provider's address ranges to the profile: addresses.ipv4/ipv6)`,
      );
    }
    if (usable.length > 0) rules.push({ req: r, v4: [], v6: [], hosts: usable, any: false });
  }
  return { rules, remarks };
}

/** `[[3478,3478],[10000,60000]]` → `3478,10000-60000` (separators per target syntax). */
export function portList(ports: readonly PortRange[], sep = ',', range = '-'): string {
  return ports.map(([a, b]) => (a === b ? `${a}` : `${a}${range}${b}`)).join(sep);
}

/** One port or range as text. */
export function portText([a, b]: PortRange, range = '-'): string {
  return a === b ? `${a}` : `${a}${range}${b}`;
}

/** Comment lines describing a rule: purpose, check ids and layer. */
export function reasonLines(r: FirewallRequirement): string[] {
  const lines = [`${r.name}: ${r.protocol.toUpperCase()} ${portList(r.ports, ', ')}`];
  if (r.purposes.length > 0) lines.push(`  purpose: ${r.purposes.join(', ')}`);
  if (r.checks.length > 0) lines.push(`  checks: ${r.checks.join(', ')}`);
  lines.push(`  blocked at: ${r.layer}`);
  return lines;
}

/** Standard header comment lines for every target. */
export function headerLines(input: FirewallInput, label: string, undoHint: string): string[] {
  return [
    `Pathcheck: outbound allow rules for ${label} (profile ${input.profileId})`,
    `Opens exactly what the diagnosis found blocked (layer: ${input.layer}).`,
    `Tag: ${input.tag} - ${undoHint}`,
  ];
}

export function commentBlock(prefix: string, lines: readonly string[]): string[] {
  return lines.map((l) => (l === '' ? prefix.trimEnd() : `${prefix}${l}`));
}

/** Splits a validated CIDR into address and prefix length (bare address = host route). */
export function splitCidr(cidr: string): { addr: string; len: number; family: 4 | 6 } {
  const [addr = '', len] = cidr.split('/');
  const family = addr.includes(':') ? 6 : 4;
  return { addr, len: len === undefined ? (family === 4 ? 32 : 128) : Number(len), family };
}

/** IPv4 prefix length → dotted mask (24 → 255.255.255.0). */
export function v4Mask(len: number): string {
  const bits = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

/** Splits a list into chunks of at most n (e.g. iptables multiport's 15-port limit). */
export function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export function joinLines(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}
