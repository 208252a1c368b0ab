import { RULE_NAME, assertValidInput, checkCidr, checkPortRange } from './input-check';
import { nftables } from './targets/nftables';
import { planDestinations } from './targets/shared';
import { FIREWALL_TAG, FirewallInputError } from './types';
import type { FirewallInput, NftChainHint } from './types';

/**
 * The JSON plan handed (on stdin, read once) to the fixed elevated script
 * `resources/firewall/apply-linux.sh`. It holds data only (addresses, ports, chains, handles) —
 * never command text; the script re-validates every field with the same grammar as
 * `assertNftApplyPlan` (test/unit/node/firewall/apply.test.ts runs both over the same corpus) and
 * builds `nft` argv itself.
 */
export const NFT_PLAN_VERSION = 2;

export interface NftRuleLocation extends NftChainHint {
  handle: number;
}

export interface NftApplyPlan {
  version: typeof NFT_PLAN_VERSION;
  tag: 'pathcheck';
  /**
   * The chains that drop the failed traffic (from detection), and only those. Empty with
   * `discover: true` when detection could not read the ruleset (not root): the script then finds the
   * output filter chains that drop, as root, under the same exclusions (never another product's table).
   */
  chains: NftChainHint[];
  discover: boolean;
  rules: Array<{ family: 4 | 6 | 0; protocol: 'udp' | 'tcp'; daddr: string[]; ports: Array<[number, number]> }>;
  /** Undo only: the exact rules this app added (handle + chain), as the apply reported them. */
  remove?: NftRuleLocation[];
}

export const PLAN_LIMITS = { chains: 16, rules: 256, daddr: 512, ports: 64, remove: 4096 } as const;

/**
 * Tables that belong to other products (VPN kill switches, container runtimes, firewall managers).
 * An accept inserted there would be removed or overridden by that product, or would defeat it (a
 * VPN kill switch): Pathcheck never writes into them and says so. Same list in apply-linux.sh.
 */
export const FOREIGN_TABLES: ReadonlyArray<{ pattern: RegExp; product: string }> = [
  { pattern: /^mullvad/i, product: 'Mullvad VPN' },
  { pattern: /^(tailscale|ts-)/i, product: 'Tailscale' },
  { pattern: /^wg-quick/i, product: 'WireGuard (wg-quick)' },
  { pattern: /^nordvpn/i, product: 'NordVPN' },
  { pattern: /^proton/i, product: 'Proton VPN' },
  { pattern: /^expressvpn/i, product: 'ExpressVPN' },
  { pattern: /^firewalld/i, product: 'firewalld (change it with firewall-cmd)' },
  { pattern: /^(docker|podman|netavark|cni|libvirt|incus|lxd)/i, product: 'a container or VM runtime' },
];

export function foreignProduct(table: string): string | null {
  return FOREIGN_TABLES.find((f) => f.pattern.test(table))?.product ?? null;
}

/**
 * Builds the plan for the local nftables apply (family 0 = any destination). Host names are not
 * applicable. `chains` defaults to the input's chain hint, else to discovery by the script.
 */
export function buildNftApplyPlan(
  input: FirewallInput,
  chains: readonly NftChainHint[] | 'discover' = input.nftChains?.length
    ? input.nftChains
    : input.nft
      ? [input.nft]
      : 'discover',
): NftApplyPlan {
  assertValidInput(input);
  const { rules } = planDestinations(input, nftables);
  const list = chains === 'discover' ? [] : chains.map((c) => ({ family: c.family, table: c.table, chain: c.chain }));
  const families = new Set(list.map((c) => c.family));
  const only = (f: 'ip' | 'ip6') => families.size === 1 && families.has(f);
  const out: NftApplyPlan['rules'] = [];
  for (const d of rules) {
    const ports = d.req.ports.map(([a, b]): [number, number] => [a, b]);
    if (d.any) {
      out.push({ family: 0, protocol: d.req.protocol, daddr: [], ports });
      continue;
    }
    if (d.v4.length > 0 && !only('ip6')) out.push({ family: 4, protocol: d.req.protocol, daddr: d.v4, ports });
    if (d.v6.length > 0 && !only('ip')) out.push({ family: 6, protocol: d.req.protocol, daddr: d.v6, ports });
  }
  const plan: NftApplyPlan = {
    version: NFT_PLAN_VERSION,
    tag: input.tag,
    chains: list,
    discover: chains === 'discover',
    rules: out,
  };
  assertNftApplyPlan(plan);
  return plan;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkChain(c: unknown, f: string, bad: (field: string, reason: string) => never): void {
  if (!isObj(c)) bad(f, 'must be an object');
  if (!['inet', 'ip', 'ip6'].includes(c.family as string)) bad(`${f}.family`, 'must be inet, ip or ip6');
  if (typeof c.table !== 'string' || !RULE_NAME.test(c.table)) bad(`${f}.table`, 'not a plain identifier');
  if (typeof c.chain !== 'string' || !RULE_NAME.test(c.chain)) bad(`${f}.chain`, 'not a plain identifier');
  const product = foreignProduct(c.table);
  if (product) bad(`${f}.table`, `${c.table} belongs to ${product}; Pathcheck does not change another product's rules`);
}

/**
 * Re-checks a plan object received from elsewhere (IPC, disk) with the same allow-lists before it
 * is handed to the elevated script. Throws `FirewallInputError` naming the field.
 */
export function assertNftApplyPlan(plan: NftApplyPlan): void {
  const bad = (field: string, reason: string): never => {
    throw new FirewallInputError(field, reason);
  };
  if (!isObj(plan)) bad('plan', 'must be an object');
  if (plan.version !== NFT_PLAN_VERSION) bad('plan.version', `must be ${NFT_PLAN_VERSION}`);
  if (plan.tag !== FIREWALL_TAG) bad('plan.tag', `must be "${FIREWALL_TAG}"`);
  if (typeof plan.discover !== 'boolean') bad('plan.discover', 'must be a boolean');
  if (!Array.isArray(plan.chains) || plan.chains.length > PLAN_LIMITS.chains)
    bad('plan.chains', `must be a list of at most ${PLAN_LIMITS.chains}`);
  if (plan.discover && plan.chains.length > 0) bad('plan.chains', 'a plan that discovers its chains lists none');
  if (!plan.discover && plan.chains.length === 0) bad('plan.chains', 'needs the chain that drops (or discover: true)');
  plan.chains.forEach((c, i) => checkChain(c, `plan.chains[${i}]`, bad));
  if (!Array.isArray(plan.rules) || plan.rules.length > PLAN_LIMITS.rules)
    bad('plan.rules', `must be a list of at most ${PLAN_LIMITS.rules}`);
  plan.rules.forEach((r, i) => {
    const f = `plan.rules[${i}]`;
    if (!isObj(r)) bad(f, 'must be an object');
    if (![0, 4, 6].includes(r.family)) bad(`${f}.family`, 'must be 0, 4 or 6');
    if (r.protocol !== 'udp' && r.protocol !== 'tcp') bad(`${f}.protocol`, 'must be udp or tcp');
    if (!Array.isArray(r.daddr) || r.daddr.length > PLAN_LIMITS.daddr)
      bad(`${f}.daddr`, `must be a list of at most ${PLAN_LIMITS.daddr}`);
    if (r.family === 0 && r.daddr.length > 0) bad(`${f}.daddr`, 'family 0 takes no addresses');
    if (r.family !== 0 && r.daddr.length === 0) bad(`${f}.daddr`, 'needs at least one address');
    r.daddr.forEach((a, j) => checkCidr(a, r.family === 6 ? 6 : 4, `${f}.daddr[${j}]`));
    if (!Array.isArray(r.ports) || r.ports.length === 0 || r.ports.length > PLAN_LIMITS.ports)
      bad(`${f}.ports`, `needs 1 to ${PLAN_LIMITS.ports} port ranges`);
    r.ports.forEach((p, j) => checkPortRange(p, `${f}.ports[${j}]`));
  });
  if (plan.remove !== undefined) {
    if (!Array.isArray(plan.remove) || plan.remove.length > PLAN_LIMITS.remove)
      bad('plan.remove', `must be a list of at most ${PLAN_LIMITS.remove}`);
    plan.remove.forEach((x, i) => {
      checkChain(x, `plan.remove[${i}]`, bad);
      if (!Number.isInteger(x.handle) || x.handle < 1 || x.handle > 2 ** 32)
        bad(`plan.remove[${i}].handle`, 'must be a positive integer');
    });
  }
}

/**
 * The exact rules as nft would read them, one line each, for the consent dialog: what the elevated
 * step inserts and where (or, in discover mode, into which kind of chain).
 */
export function describeNftApplyPlan(plan: NftApplyPlan): string[] {
  const set = (xs: readonly string[]): string => `{ ${xs.join(', ')} }`;
  const body = (r: NftApplyPlan['rules'][number]): string => {
    const ports = set(r.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)));
    const dst = r.family === 4 ? `ip daddr ${set(r.daddr)} ` : r.family === 6 ? `ip6 daddr ${set(r.daddr)} ` : '';
    return `${dst}${r.protocol} dport ${ports} accept comment "${plan.tag}"`;
  };
  if (plan.discover) return plan.rules.map((r) => `insert rule <each output chain that drops> ${body(r)}`);
  const out: string[] = [];
  for (const c of plan.chains) {
    for (const r of plan.rules) {
      if ((c.family === 'ip' && r.family === 6) || (c.family === 'ip6' && r.family === 4)) continue;
      out.push(`insert rule ${c.family} ${c.table} ${c.chain} ${body(r)}`);
    }
  }
  return out;
}
