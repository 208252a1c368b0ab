import type { FirewallInput, RuleFormat } from '../types';

/** What one target generator returns; `generateRules` adds the target id and the tag. */
export interface TargetOutput {
  format: RuleFormat;
  text: string;
  undo?: string;
  notes: string[];
}

export type TargetGenerator = (input: FirewallInput) => TargetOutput;
