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
import { blockRuleMatches, type SecurityCenterProduct, type WindowsBlockRule } from './parse';
import type { WindowsProfileState } from '../parse-other';

/**
 * The data-only plan for `resources/firewall/apply-windows.ps1`. The script checks exactly these
 * rules again (its Test-Plan mirrors `assertWindowsPlan`), then creates one
 * `New-NetFirewallRule -Direction Outbound -Action Allow -Group Pathcheck` per rule, with the
 * exact remote ports and remote addresses below. Undo removes group Pathcheck and nothing else.
 */
export const WINDOWS_RULE_GROUP = 'Pathcheck';

export interface WindowsApplyPlan {
  version: 1;
  group: 'Pathcheck';
  rules: WindowsPlanRule[];
}

export interface WindowsPlanRule {
  /** `pathcheck-udp-1`: the rule's Name, DisplayName "Pathcheck pathcheck-udp-1". */
  name: string;
  protocol: 'UDP' | 'TCP';
  /** true = RemoteAddress Any (peer-to-peer media: the other participant can be anywhere). */
  anyAddress: boolean;
  /** IPv4/IPv6 addresses or CIDRs; empty exactly when anyAddress. */
  remoteAddresses: string[];
  /** Inclusive [from, to] remote port ranges. */
  remotePorts: Array<[number, number]>;
}

/** Plan rule names: fixed prefix, lower-case letters, digits and dashes (the PS script uses the same pattern). */
export const WINDOWS_RULE_NAME = /^pathcheck-[a-z0-9-]{1,40}$/;

export interface WindowsFindings {
  profiles: WindowsProfileState[];
  blockRules: WindowsBlockRule[];
  /** null when Security Center could not be read (Windows Server has no SecurityCenter2). */
  products: SecurityCenterProduct[] | null;
}

export type WindowsDetection = FirewallDetection & { windows: WindowsFindings };

export function buildWindowsPlan(input: FirewallInput): WindowsApplyPlan {
  const { rules } = planDestinations(input, { label: 'Windows Firewall', supportsHostnames: false });
  return {
    version: 1,
    group: WINDOWS_RULE_GROUP,
    rules: rules.map((d) => ({
      name: d.req.name,
      protocol: d.req.protocol === 'udp' ? 'UDP' : 'TCP',
      anyAddress: d.any,
      remoteAddresses: d.any ? [] : [...d.v4, ...d.v6],
      remotePorts: d.req.ports.map(([a, b]): [number, number] => [a, b]),
    })),
  };
}

const bad = (field: string, reason: string): never => {
  throw new FirewallInputError(field, reason);
};

const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

function exactKeys(value: unknown, keys: string[], field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad(field, 'must be an object');
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length) bad(`${field}.${extra[0]}`, 'is not a plan field');
  for (const k of keys) if (!(k in value)) bad(`${field}.${k}`, 'is missing');
  return value as Record<string, unknown>;
}

/**
 * Checks a plan value by value, exactly as apply-windows.ps1 does before any change: only known
 * fields, the right types, bounded sizes, addresses and ports by grammar. Throws
 * `FirewallInputError` naming the field.
 */
export function assertWindowsPlan(value: unknown): asserts value is WindowsApplyPlan {
  const plan = exactKeys(value, ['version', 'group', 'rules'], 'plan');
  if (plan.version !== 1) bad('plan.version', 'must be 1');
  if (plan.group !== WINDOWS_RULE_GROUP) bad('plan.group', `must be "${WINDOWS_RULE_GROUP}"`);
  if (!Array.isArray(plan.rules)) return bad('plan.rules', 'must be an array');
  if (plan.rules.length < 1 || plan.rules.length > MAX_RULES) bad('plan.rules', `must hold 1-${MAX_RULES} rules`);
  const names = new Set<string>();
  plan.rules.forEach((raw, i) => {
    const f = `plan.rules[${i}]`;
    const r = exactKeys(raw, ['name', 'protocol', 'anyAddress', 'remoteAddresses', 'remotePorts'], f);
    if (typeof r.name !== 'string' || !WINDOWS_RULE_NAME.test(r.name))
      bad(`${f}.name`, 'must match pathcheck-[a-z0-9-]');
    if (names.has(r.name as string)) bad(`${f}.name`, 'is used twice');
    names.add(r.name as string);
    if (r.protocol !== 'UDP' && r.protocol !== 'TCP') bad(`${f}.protocol`, 'must be UDP or TCP');
    if (typeof r.anyAddress !== 'boolean') bad(`${f}.anyAddress`, 'must be true or false');
    if (!Array.isArray(r.remoteAddresses)) return bad(`${f}.remoteAddresses`, 'must be an array');
    if (r.remoteAddresses.length > MAX_ADDRESSES)
      bad(`${f}.remoteAddresses`, `holds more than ${MAX_ADDRESSES} addresses`);
    if (r.anyAddress && r.remoteAddresses.length > 0)
      bad(`${f}.remoteAddresses`, 'must be empty when anyAddress is true');
    if (!r.anyAddress && r.remoteAddresses.length === 0) bad(`${f}.remoteAddresses`, 'needs at least one address');
    r.remoteAddresses.forEach((a, j) => {
      if (typeof a !== 'string' || a.length > 43 || !(isCidr(a, 4) || isCidr(a, 6)))
        bad(`${f}.remoteAddresses[${j}]`, 'not an IPv4/IPv6 address or CIDR');
    });
    if (!Array.isArray(r.remotePorts)) return bad(`${f}.remotePorts`, 'must be an array');
    if (r.remotePorts.length < 1 || r.remotePorts.length > MAX_PORT_RANGES)
      bad(`${f}.remotePorts`, `must hold 1-${MAX_PORT_RANGES} ranges`);
    r.remotePorts.forEach((p, j) => {
      if (!Array.isArray(p) || p.length !== 2 || !isPort(p[0]) || !isPort(p[1]))
        bad(`${f}.remotePorts[${j}]`, 'must be a [from, to] pair of ports 1-65535');
      if ((p as number[])[0]! > (p as number[])[1]!)
        bad(`${f}.remotePorts[${j}]`, 'range start is greater than its end');
    });
  });
  if (JSON.stringify(plan).length > MAX_PLAN_BYTES) bad('plan', `is larger than ${MAX_PLAN_BYTES} bytes`);
}

const where = (r: WindowsBlockRule): string =>
  r.source === 'group-policy'
    ? `Group Policy${r.sourceName ? ` (${r.sourceName})` : ''}`
    : r.source === 'mdm'
      ? 'MDM (Intune or similar)'
      : r.source === 'local'
        ? 'this computer'
        : 'another policy store';

/**
 * Windows' decision: allow rules only help when nothing stronger blocks. An enabled Block rule
 * beats any Allow rule; Group Policy can make local rules ineffective; a third-party firewall is
 * not Windows Defender Firewall. In each of those cases: no apply, and the refusal names the cause.
 */
export function decideWindows(
  input: FirewallInput,
  detection: WindowsDetection,
  failed: FailedTraffic[],
): PlatformDecision<WindowsApplyPlan> {
  const w = detection.windows;
  const thirdParty = (w.products ?? []).filter((p) => p.enabled !== false);
  if (thirdParty.length) {
    return {
      plan: null,
      refusal: `${thirdParty.map((p) => `"${p.name}"`).join(', ')} is registered as this computer's firewall: allow ${describeTraffic(failed)} in it (or ask whoever manages it); Windows Firewall rules would not change what it blocks.`,
    };
  }
  const blocking = w.blockRules.filter((r) => failed.some((t) => blockRuleMatches(r, t)));
  if (blocking.length) {
    const named = blocking
      .slice(0, 5)
      .map((r) => `"${r.displayName}" (${r.name}, from ${where(r)})`)
      .join(', ');
    return {
      plan: null,
      refusal: `The outbound block rule ${named}${blocking.length > 5 ? ` and ${blocking.length - 5} more` : ''} matches the blocked traffic, and a block rule wins over any allow rule: it has to be changed or removed by whoever manages it.`,
    };
  }
  const enabled = w.profiles.filter((p) => p.enabled !== false);
  const noLocal = enabled.filter((p) => p.allowLocalRules === false);
  if (noLocal.length) {
    return {
      plan: null,
      refusal: `Group Policy ignores local firewall rules in the ${noLocal.map((p) => p.name).join(', ')} profile (AllowLocalFirewallRules False): the allow rules have to be added to the policy by IT.`,
    };
  }
  if (!enabled.some((p) => p.outbound === 'drop')) {
    return {
      plan: null,
      refusal:
        'Windows Firewall allows outbound traffic here and no enabled block rule matches what failed, so an allow rule would change nothing; the block is elsewhere.',
    };
  }
  const plan = buildWindowsPlan(input);
  if (plan.rules.length === 0)
    return {
      plan: null,
      refusal:
        'None of the blocked destinations has an address Pathcheck could put in a rule; copy the rules and fill in the addresses.',
    };
  assertWindowsPlan(plan);
  return { plan, refusal: null };
}
