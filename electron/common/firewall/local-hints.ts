import type { Report } from '../report/schema';
import { foreignProduct } from './apply-plan';
import { checkNftHint, LIMITS } from './input-check';
import { isIptablesNftTable } from './nft-discover';
import type { FirewallTargetId } from './registry';
import { FirewallInputError, type IptablesVariant, type NftChainHint } from './types';

/**
 * What a report says about the diagnosed computer's own firewall (`firewall.local`), turned into
 * where Linux rules must go: every nftables chain that drops (each re-validated here, errors naming
 * the report field), which iptables holds a drop, and whether ufw or firewalld manages the
 * firewall. A report from another machine or an older version that did not see the chains gives
 * no chains: the nftables output then finds them when it runs.
 */

export interface LocalHints {
  /** Every dropping chain of this computer's own tables, in the report's order. */
  nftChains: NftChainHint[];
  iptablesVariants: IptablesVariant[];
  /** The firewall manager that owns the ruleset (its commands are the ones that last). */
  manager: 'ufw' | 'firewalld' | null;
  /** Plain sentences: chains left alone (another product's table), what was not known. */
  notes: string[];
}

const chainName = (c: NftChainHint): string => `${c.family} ${c.table} ${c.chain}`;
const isIptablesNftChain = (c: NftChainHint): boolean => isIptablesNftTable(c) && c.chain === 'OUTPUT';

export function localHintsFromReport(report: Report): LocalHints {
  const local = report.firewall.local;
  const hints: LocalHints = { nftChains: [], iptablesVariants: [], manager: null, notes: [] };
  if (!local || local.platform !== 'linux') return hints;
  const chains = Array.isArray(local.dropChains) ? local.dropChains : [];
  if (chains.length > 64) throw new FirewallInputError('firewall.local.dropChains', 'at most 64 entries');
  const seen = new Set<string>();
  chains.forEach((c, i) => {
    checkNftHint(c, `firewall.local.dropChains[${i}]`);
    const hint: NftChainHint = { family: c.family, table: c.table, chain: c.chain };
    const product = foreignProduct(hint.table);
    if (product) {
      hints.notes.push(
        `${chainName(hint)} also drops, but it belongs to ${product}: no rule is written there; allow the traffic in that product.`,
      );
      return;
    }
    if (seen.has(chainName(hint))) return;
    seen.add(chainName(hint));
    hints.nftChains.push(hint);
  });
  if (hints.nftChains.length > LIMITS.nftChains)
    throw new FirewallInputError('firewall.local.dropChains', `at most ${LIMITS.nftChains} chains of this computer`);
  const engines = Array.isArray(local.engines) ? local.engines : [];
  return { ...localHintsFrom(engines, hints.nftChains), notes: hints.notes };
}

/** The generator options for these hints (`nft` is the first chain, for callers reading only one). */
export function localOptions(h: LocalHints): {
  nft?: NftChainHint;
  nftChains?: NftChainHint[];
  iptablesVariants?: IptablesVariant[];
} {
  return {
    ...(h.nftChains[0] ? { nft: h.nftChains[0], nftChains: h.nftChains } : {}),
    ...(h.iptablesVariants.length ? { iptablesVariants: h.iptablesVariants } : {}),
  };
}

/** What `rules --target` may ask for on Linux and have Pathcheck pick the tool that works. */
export const LINUX_AUTO_TARGETS = ['nftables', 'iptables', 'auto'] as const;

/**
 * The Linux target whose output works as printed on the diagnosed computer, for a request of
 * nftables, iptables or auto: nft rules when the drop is in an nftables table of its own (neither
 * iptables nor ufw nor firewalld rules can open it); else the manager's commands when ufw or
 * firewalld owns the firewall; iptables when only an iptables-legacy table drops (nft cannot see
 * it). `why` says in one sentence why it differs from the request (null when it does not).
 */
export function chooseLinuxTarget(
  hints: LocalHints,
  requested: (typeof LINUX_AUTO_TARGETS)[number],
  /** Where the hints came from: the report's firewall.local (cited), or a detection of this computer. */
  from: 'report' | 'detection' = 'report',
): { target: FirewallTargetId; why: string | null } {
  const pick = (target: FirewallTargetId, why: string) => ({
    target,
    why: requested === target ? null : `${why}${from === 'report' ? ' (report: firewall.local)' : ''}.`,
  });
  const native = hints.nftChains.filter((c) => !isIptablesNftTable(c));
  if (native.length > 0) {
    const also = hints.manager
      ? `; ${hints.manager} also manages this computer: if it denies this traffic too, add its commands as well (--target ${hints.manager})`
      : '';
    return pick(
      'nftables',
      `the drop is in ${native.map(chainName).join(', ')}, an nftables table that iptables rules cannot open (an accept in OUTPUT would leave that drop in force), so these are nft rules${also}`,
    );
  }
  if (hints.manager === 'ufw')
    return pick(
      'ufw',
      'ufw manages this computer\u2019s firewall: rules added beside it with nft or iptables are not kept by ufw (gone after a reboot or ufw reload) and ufw would not show them, so these are ufw commands',
    );
  if (hints.manager === 'firewalld')
    return pick(
      'firewalld',
      'firewalld manages this computer\u2019s firewall: it rebuilds its rules on every reload, and rules added beside it with nft or iptables are not kept, so these are firewall-cmd commands',
    );
  if (hints.iptablesVariants.includes('legacy'))
    return pick(
      'iptables',
      'the drop is in iptables-legacy, whose tables nft cannot see (an nft accept would leave it in force), so these are iptables-legacy commands',
    );
  return { target: requested === 'auto' ? 'nftables' : requested, why: null };
}

/** The same hints from a detection of this computer (the app's Fix flow), with the chains a fix may write to. */
export function localHintsFrom(
  engines: ReadonlyArray<{ name: string; active: boolean | null }>,
  chains: readonly NftChainHint[],
): LocalHints {
  const active = (name: string): boolean => engines.some((e) => e.name === name && e.active === true);
  const iptablesVariants: IptablesVariant[] = [];
  if (active('iptables-legacy')) iptablesVariants.push('legacy');
  if (active('iptables-nft') || chains.some(isIptablesNftChain)) iptablesVariants.push('nft');
  return {
    nftChains: [...chains],
    iptablesVariants,
    manager: active('firewalld') ? 'firewalld' : active('ufw') ? 'ufw' : null,
    notes: [],
  };
}
