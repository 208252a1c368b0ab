import type { FirewallInput, FirewallTargetKind, RuleFormat } from '../types';

/** What one target generator returns; `generateRules` adds the target id and the tag. */
export interface TargetOutput {
  format: RuleFormat;
  text: string;
  undo?: string;
  notes: string[];
}

/** The facts the UI, the CLI and `planDestinations` read about a target. */
export interface TargetFacts<Id extends string = string> {
  /** Stable id used by `--target`, IPC and history (never renamed). */
  id: Id;
  /** Name shown to people, e.g. "Linux nftables". */
  label: string;
  kind: FirewallTargetKind;
  /** True when the target can match destination host names (FQDN objects, dstdomain, PAC). */
  supportsHostnames: boolean;
  /** True when it can also match `*.` wildcard names (Little Snitch domains, Check Point dns-domain). */
  supportsWildcards?: boolean;
}

/**
 * A firewall target is one module exporting one of these. The registry (`../registry.ts`) lists the
 * modules; ids, labels and the UI's grouping are read from here and nowhere else.
 */
export interface FirewallTarget<Id extends string = string> extends TargetFacts<Id> {
  /** Builds the text from an input that `assertValidInput` already accepted. */
  generate(input: FirewallInput): TargetOutput;
}

/** Identity helper that keeps the literal id type (`'nftables'`, not `string`). */
export function defineTarget<const Id extends string>(target: FirewallTarget<Id>): FirewallTarget<Id> {
  return target;
}
