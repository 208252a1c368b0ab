import { isCidr } from '#common/net/validate';
import { FirewallInputError } from '#common/firewall/types';
import type { FirewallInput } from '#common/firewall/types';
import { planDestinations } from '#common/firewall/targets/shared';
import {
  MAX_ADDRESSES,
  MAX_PLAN_BYTES,
  MAX_PORT_RANGES,
  MAX_RULES,
  describeTraffic,
  type FailedTraffic,
  type PlatformDecision,
} from '../platform';
import type { FirewallDetection } from '../types';
import type { OutboundFilter, PfRuleset } from './parse';

/**
 * macOS: Pathcheck's pass rules live in the pf anchor `com.apple/250.Pathcheck`. The stock
 * /etc/pf.conf evaluates `anchor "com.apple/*"`, so rules loaded there take part without editing
 * pf.conf, and `pfctl -a com.apple/250.Pathcheck -F all` removes exactly them. A `pass out quick`
 * rule ends evaluation when it matches, so it wins over block rules evaluated after the anchor (and
 * over non-quick ones before it), never over a `block … quick` evaluated before it.
 */
export { PF_ANCHOR } from '#common/firewall/targets/macos-pf';
import { PF_ANCHOR } from '#common/firewall/targets/macos-pf';

export interface PfApplyPlan {
  version: 1;
  anchor: typeof PF_ANCHOR;
  /** family 0 = any destination (peer-to-peer media); daddr empty exactly then. */
  rules: Array<{ family: 0 | 4 | 6; protocol: 'udp' | 'tcp'; daddr: string[]; ports: Array<[number, number]> }>;
}

export interface MacFindings {
  /** `pfctl -s info` Status; null when it could not be read (pfctl needs root). */
  pfEnabled: boolean | null;
  /** `pfctl -sr`; null when it could not be read. */
  ruleset: PfRuleset | null;
  /** Running outbound filters; null when `systemextensionsctl list` could not be read. */
  filters: OutboundFilter[] | null;
}

export type MacDetection = FirewallDetection & { macos: MacFindings };

export function buildPfPlan(input: FirewallInput): PfApplyPlan {
  const { rules } = planDestinations(input, { label: 'pf', supportsHostnames: false });
  const out: PfApplyPlan['rules'] = [];
  for (const d of rules) {
    const ports = d.req.ports.map(([a, b]): [number, number] => [a, b]);
    if (d.any) out.push({ family: 0, protocol: d.req.protocol, daddr: [], ports });
    if (d.v4.length) out.push({ family: 4, protocol: d.req.protocol, daddr: [...d.v4], ports });
    if (d.v6.length) out.push({ family: 6, protocol: d.req.protocol, daddr: [...d.v6], ports });
  }
  return { version: 1, anchor: PF_ANCHOR, rules: out };
}

const bad = (field: string, reason: string): never => {
  throw new FirewallInputError(field, reason);
};
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

/** The same checks apply-macos.sh makes on the plan file (it is the last word). */
export function assertPfPlan(value: unknown): asserts value is PfApplyPlan {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad('plan', 'must be an object');
  const plan = value as Record<string, unknown>;
  const extra = Object.keys(plan).filter((k) => !['version', 'anchor', 'rules'].includes(k));
  if (extra.length) bad(`plan.${extra[0]}`, 'is not a plan field');
  if (plan.version !== 1) bad('plan.version', 'must be 1');
  if (plan.anchor !== PF_ANCHOR) bad('plan.anchor', `must be "${PF_ANCHOR}"`);
  if (!Array.isArray(plan.rules)) return bad('plan.rules', 'must be an array');
  if (plan.rules.length < 1 || plan.rules.length > MAX_RULES) bad('plan.rules', `must hold 1-${MAX_RULES} rules`);
  plan.rules.forEach((raw: unknown, i) => {
    const f = `plan.rules[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad(f, 'must be an object');
    const r = raw as Record<string, unknown>;
    const extraR = Object.keys(r).filter((k) => !['family', 'protocol', 'daddr', 'ports'].includes(k));
    if (extraR.length) bad(`${f}.${extraR[0]}`, 'is not a plan field');
    if (r.family !== 0 && r.family !== 4 && r.family !== 6) bad(`${f}.family`, 'must be 0, 4 or 6');
    if (r.protocol !== 'udp' && r.protocol !== 'tcp') bad(`${f}.protocol`, 'must be udp or tcp');
    if (!Array.isArray(r.daddr)) return bad(`${f}.daddr`, 'must be an array');
    if (r.daddr.length > MAX_ADDRESSES) bad(`${f}.daddr`, `holds more than ${MAX_ADDRESSES} addresses`);
    if (r.family === 0 && r.daddr.length > 0) bad(`${f}.daddr`, 'family 0 takes no addresses');
    if (r.family !== 0 && r.daddr.length === 0) bad(`${f}.daddr`, 'needs at least one address');
    r.daddr.forEach((a: unknown, j) => {
      if (
        typeof a !== 'string' ||
        a.length > 43 ||
        !isCidr(a, r.family === 6 ? 6 : 4) ||
        (r.family === 6 && a.includes('.'))
      )
        bad(`${f}.daddr[${j}]`, `not an IPv${r.family === 6 ? 6 : 4} address or CIDR`);
    });
    if (!Array.isArray(r.ports)) return bad(`${f}.ports`, 'must be an array');
    if (r.ports.length < 1 || r.ports.length > MAX_PORT_RANGES)
      bad(`${f}.ports`, `must hold 1-${MAX_PORT_RANGES} ranges`);
    r.ports.forEach((p: unknown, j) => {
      if (!Array.isArray(p) || p.length !== 2 || !isPort(p[0]) || !isPort(p[1]))
        bad(`${f}.ports[${j}]`, 'must be a [from, to] pair of ports 1-65535');
      if ((p as number[])[0]! > (p as number[])[1]!) bad(`${f}.ports[${j}]`, 'range start is greater than its end');
    });
  });
  if (pfPlanText(value as PfApplyPlan).length > MAX_PLAN_BYTES) bad('plan', `is larger than ${MAX_PLAN_BYTES} bytes`);
}

/**
 * The plan file apply-macos.sh reads: line-oriented so POSIX sh can check it token by token
 * without a JSON parser (macOS has no jq before 15). `any` stands for no address (family 0).
 *   pathcheck-pf-plan 1
 *   anchor com.apple/250.Pathcheck
 *   rule udp 4 3478:3478,10000:60000 54.172.60.0/23,34.203.250.0/23
 *   end
 */
export function pfPlanText(plan: PfApplyPlan): string {
  const lines = ['pathcheck-pf-plan 1', `anchor ${plan.anchor}`];
  for (const r of plan.rules)
    lines.push(
      `rule ${r.protocol} ${r.family} ${r.ports.map(([a, b]) => `${a}:${b}`).join(',')} ${r.daddr.length ? r.daddr.join(',') : 'any'}`,
    );
  lines.push('end');
  return `${lines.join('\n')}\n`;
}

/** What to allow in an outbound filter app, in its own words. */
export function filterInstructions(filter: OutboundFilter, failed: FailedTraffic[]): string {
  const what = describeTraffic(failed);
  if (filter.product === 'Little Snitch') {
    return `Little Snitch (${filter.name}) filters outgoing connections: in Little Snitch, allow outgoing connections from Pathcheck (and the app you call with) for ${what}, or import the Little Snitch rules Pathcheck shows (.lsrules).`;
  }
  if (filter.product === 'LuLu') {
    return `LuLu filters outgoing connections: in LuLu's rules, allow Pathcheck (and the app you call with) for ${what}.`;
  }
  return `The network extension "${filter.name}" (${filter.bundleId}) may filter outgoing connections: allow ${what} in it, or ask whoever manages it.`;
}

function overlaps(rule: { protocol: string; ports: Array<[number, number]> | null }, t: FailedTraffic): boolean {
  if (rule.protocol !== 'any' && rule.protocol !== t.protocol) return false;
  return rule.ports === null || rule.ports.some(([a, b]) => t.ports.some(([c, d]) => a <= d && c <= b));
}

/** macOS's decision: pf anchor when pf is what blocks and can be passed; else the cause, named. */
export function decideMac(
  input: FirewallInput,
  detection: MacDetection,
  failed: FailedTraffic[],
): PlatformDecision<PfApplyPlan> {
  const m = detection.macos;
  if (m.filters && m.filters.length)
    return { plan: null, refusal: m.filters.map((f) => filterInstructions(f, failed)).join(' ') };
  if (m.pfEnabled === false) {
    return {
      plan: null,
      refusal:
        'pf is disabled on this Mac and the application firewall filters inbound only, so no local rule would change what failed; the block is elsewhere (an outbound filter app or the network).',
    };
  }
  if (m.ruleset) {
    if (!m.ruleset.appleAnchor) {
      return {
        plan: null,
        refusal: `The pf ruleset does not load anchor "com.apple/*" (/etc/pf.conf was replaced), so an anchor rule would never be evaluated: ask whoever manages pf on this Mac to allow ${describeTraffic(failed)}.`,
      };
    }
    const winning = m.ruleset.outboundBlocks.filter(
      (b) => b.quick && b.beforeAppleAnchor && failed.some((t) => overlaps(b, t)),
    );
    if (winning.length) {
      return {
        plan: null,
        refusal: `The pf rule "${winning[0]!.text}" blocks this traffic before Pathcheck's anchor is evaluated (quick), so a pass rule cannot win: it has to be changed by whoever manages pf.`,
      };
    }
    if (!m.ruleset.outboundBlocks.some((b) => failed.some((t) => overlaps(b, t)))) {
      return {
        plan: null,
        refusal:
          'No pf rule blocks the traffic that failed, so a pass rule would change nothing; the block is elsewhere.',
      };
    }
  }
  const plan = buildPfPlan(input);
  if (plan.rules.length === 0)
    return {
      plan: null,
      refusal:
        'None of the blocked destinations has an address Pathcheck could put in a rule; copy the rules and fill in the addresses.',
    };
  assertPfPlan(plan);
  return { plan, refusal: null };
}
