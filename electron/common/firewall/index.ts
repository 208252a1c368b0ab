import { assertValidInput } from './input-check';
import { FIREWALL_TARGET_IDS, findTarget, type FirewallTargetId, type GeneratedRules } from './registry';
import { FirewallInputError } from './types';
import type { FirewallInput } from './types';

/**
 * Public entry of rule generation: the target registry and `generateRules`. Pure (no node:*), so
 * the CLI, the app's main process and the renderer's preview all produce the same text.
 */

export * from './types';
export * from './registry';
export {
  buildFirewallInput,
  buildFirewallInputFromReport,
  parseProxyUrl,
  type BuildFirewallOptions,
} from './requirements';
export { blockWhy } from './why';
export {
  chooseLinuxTarget,
  LINUX_AUTO_TARGETS,
  localHintsFrom,
  localHintsFromReport,
  localOptions,
  type LocalHints,
} from './local-hints';
export { NFT_DROPPING_OUTPUT_CHAINS_JQ, FOREIGN_TABLES_ERE } from './nft-discover';
export { LIMITS, MIN_PREFIX, assertValidInput, normalizeHostname } from './input-check';
export { iptablesRestoreText } from './targets/iptables';
export { DEFAULT_NFT_CHAIN, nftRuleBodies } from './targets/nftables';
export {
  FOREIGN_TABLES,
  NFT_PLAN_VERSION,
  PLAN_LIMITS,
  assertNftApplyPlan,
  buildNftApplyPlan,
  describeNftApplyPlan,
  foreignProduct,
  type NftApplyPlan,
  type NftRuleLocation,
} from './apply-plan';

/**
 * Generates the rules for one target. Re-validates the whole input first (it may come from IPC or
 * be built by hand), so hostile values raise `FirewallInputError` before any text exists.
 */
export function generateRules(target: FirewallTargetId, input: FirewallInput): GeneratedRules {
  const module = findTarget(target);
  if (!module) throw new FirewallInputError('target', `unknown target; one of ${FIREWALL_TARGET_IDS.join(', ')}`);
  assertValidInput(input);
  const out = module.generate(input);
  return {
    target,
    format: out.format,
    text: out.text,
    ...(out.undo !== undefined ? { undo: out.undo } : {}),
    notes: out.notes,
    tag: input.tag,
  };
}
