import { assertValidInput } from './input-check';
import { DEFAULT_NFT_CHAIN } from './targets/nftables';
import { planDestinations } from './targets/shared';
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
  const { rules } = planDestinations(input, false, 'nftables');
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
