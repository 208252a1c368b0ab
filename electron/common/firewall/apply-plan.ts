import { RULE_NAME, assertValidInput, checkCidr, checkPortRange } from './input-check';
import { DEFAULT_NFT_CHAIN, nftables } from './targets/nftables';
import { planDestinations } from './targets/shared';
import { FIREWALL_TAG, FirewallInputError } from './types';
import type { FirewallInput, NftChainHint } from './types';

/**
 * The JSON plan handed to the fixed elevated script `resources/firewall/apply-linux.sh`. It holds
 * data only (addresses, ports, chain) — never command text; the script re-validates every field
 * with its own regexes and builds `nft` argv itself.
 */
export interface NftApplyPlan {
  version: 1;
  tag: 'pathcheck';
  chain: NftChainHint;
  rules: Array<{ family: 4 | 6 | 0; protocol: 'udp' | 'tcp'; daddr: string[]; ports: Array<[number, number]> }>;
}

/** Builds the plan for the local nftables apply (family 0 = any destination). Host names are not applicable. */
export function buildNftApplyPlan(input: FirewallInput): NftApplyPlan {
  assertValidInput(input);
  const chain = input.nft ?? DEFAULT_NFT_CHAIN;
  const { rules } = planDestinations(input, nftables);
  const out: NftApplyPlan['rules'] = [];
  for (const d of rules) {
    const ports = d.req.ports.map(([a, b]): [number, number] => [a, b]);
    if (d.any) {
      out.push({ family: 0, protocol: d.req.protocol, daddr: [], ports });
      continue;
    }
    if (d.v4.length > 0 && chain.family !== 'ip6') out.push({ family: 4, protocol: d.req.protocol, daddr: d.v4, ports });
    if (d.v6.length > 0 && chain.family !== 'ip') out.push({ family: 6, protocol: d.req.protocol, daddr: d.v6, ports });
  }
  return { version: 1, tag: input.tag, chain: { ...chain }, rules: out };
}

/**
 * Re-checks a plan object received from elsewhere (IPC, disk) with the same allow-lists before it
 * is written for the elevated script. Throws `FirewallInputError` naming the field.
 */
export function assertNftApplyPlan(plan: NftApplyPlan): void {
  const bad = (field: string, reason: string): never => {
    throw new FirewallInputError(field, reason);
  };
  if (plan.version !== 1) bad('plan.version', 'must be 1');
  if (plan.tag !== FIREWALL_TAG) bad('plan.tag', `must be "${FIREWALL_TAG}"`);
  if (!['inet', 'ip', 'ip6'].includes(plan.chain.family)) bad('plan.chain.family', 'must be inet, ip or ip6');
  if (!RULE_NAME.test(plan.chain.table)) bad('plan.chain.table', 'not a plain identifier');
  if (!RULE_NAME.test(plan.chain.chain)) bad('plan.chain.chain', 'not a plain identifier');
  plan.rules.forEach((r, i) => {
    const f = `plan.rules[${i}]`;
    if (![0, 4, 6].includes(r.family)) bad(`${f}.family`, 'must be 0, 4 or 6');
    if (r.protocol !== 'udp' && r.protocol !== 'tcp') bad(`${f}.protocol`, 'must be udp or tcp');
    if (r.family === 0 && r.daddr.length > 0) bad(`${f}.daddr`, 'family 0 takes no addresses');
    if (r.family !== 0 && r.daddr.length === 0) bad(`${f}.daddr`, 'needs at least one address');
    r.daddr.forEach((a, j) => checkCidr(a, r.family === 6 ? 6 : 4, `${f}.daddr[${j}]`));
    if (r.ports.length === 0) bad(`${f}.ports`, 'needs at least one port range');
    r.ports.forEach((p, j) => checkPortRange(p, `${f}.ports[${j}]`));
  });
}
