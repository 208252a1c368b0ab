import { awsSg } from './targets/aws-sg';
import { azureNsg } from './targets/azure-nsg';
import { checkpoint } from './targets/checkpoint';
import { ciscoAsa } from './targets/cisco-asa';
import { firewalld } from './targets/firewalld';
import { fortigate } from './targets/fortigate';
import { iptables } from './targets/iptables';
import { juniperSrx } from './targets/juniper-srx';
import { littleSnitch } from './targets/little-snitch';
import { macosPf } from './targets/macos-pf';
import { nftables } from './targets/nftables';
import { pac } from './targets/pac';
import { panos } from './targets/panos';
import { squid } from './targets/squid';
import type { TargetFacts } from './targets/target';
import { ufw } from './targets/ufw';
import { windowsNetsh } from './targets/windows-netsh';
import { windowsPowershell } from './targets/windows-powershell';
import type { FirewallTag, RuleFormat } from './types';

/**
 * The target registry: one line per target module, in the order the CLI and the UI list them.
 * Every other list of targets (ids for `--target` and IPC, labels, kinds) is derived from this one.
 * Adding a target = its module in `targets/`, one line here, and its golden files.
 */
export const TARGET_MODULES = [
  windowsPowershell,
  windowsNetsh,
  nftables,
  iptables,
  ufw,
  firewalld,
  macosPf,
  littleSnitch,
  ciscoAsa,
  panos,
  fortigate,
  juniperSrx,
  checkpoint,
  awsSg,
  azureNsg,
  squid,
  pac,
] as const;

export type FirewallTarget = (typeof TARGET_MODULES)[number];
export type FirewallTargetId = FirewallTarget['id'];

type NonEmpty<T> = readonly [T, ...T[]];
/** Every target id (the `--target` values and the IPC enum), from the modules. */
export const FIREWALL_TARGET_IDS = TARGET_MODULES.map((t) => t.id) as unknown as NonEmpty<FirewallTargetId>;

export type FirewallTargetInfo = TargetFacts<FirewallTargetId>;

/** Every target with what the UI needs to group and explain it (the modules' facts, without `generate`). */
export const FIREWALL_TARGETS: readonly FirewallTargetInfo[] = TARGET_MODULES.map(
  ({ id, label, kind, supportsHostnames, supportsWildcards }) => ({
    id,
    label,
    kind,
    supportsHostnames,
    ...(supportsWildcards ? { supportsWildcards } : {}),
  }),
);

const BY_ID = new Map<string, FirewallTarget>(TARGET_MODULES.map((t) => [t.id, t]));

export function isFirewallTarget(value: string): value is FirewallTargetId {
  return BY_ID.has(value);
}

/** The module for an id, or undefined for an unknown one. */
export function findTarget(id: string): FirewallTarget | undefined {
  return BY_ID.get(id);
}

export interface GeneratedRules {
  target: FirewallTargetId;
  format: RuleFormat;
  /** What the admin pastes or runs, as is. */
  text: string;
  /** Removes exactly what `text` added (by tag), where the target allows it. */
  undo?: string;
  notes: string[];
  tag: FirewallTag;
}
