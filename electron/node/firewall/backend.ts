import type { NftApplyPlan } from '#common/firewall/apply-plan';
import { applyLinuxPlan, type ApplyOptions, type ApplyResult, type RuleChange } from './apply';
import { detectLocalFirewall, type DetectOptions } from './detect';
import type { FirewallDetection } from './types';

/**
 * One local-firewall backend per platform: how to read this machine's firewall, and how to apply
 * and undo a data-only plan through a fixed elevated script. main picks the backend for
 * `process.platform`; a new platform adds a module exporting one of these (and its script in
 * resources/firewall) without touching the handlers.
 */
export interface FirewallBackend<Plan = unknown> {
  platform: NodeJS.Platform;
  detect(): Promise<FirewallDetection>;
  /** Runs the elevated apply on a plan main built and the user confirmed. */
  apply(plan: Plan): Promise<ApplyResult>;
  /** Removes what an apply added: exactly `added` when known, else the tagged rules where `plan` writes. */
  undo(plan: Plan, added: readonly RuleChange[] | null): Promise<ApplyResult>;
}

export function linuxBackend(options: ApplyOptions & { detect?: DetectOptions } = {}): FirewallBackend<NftApplyPlan> {
  return {
    platform: 'linux',
    detect: () => detectLocalFirewall({ platform: 'linux', ...options.detect }),
    apply: (plan) => applyLinuxPlan(plan, 'apply', options),
    undo: (plan, added) =>
      applyLinuxPlan(
        added && added.length > 0 ? { ...plan, remove: added.map((a) => ({ ...a })) } : plan,
        'undo',
        options,
      ),
  };
}
