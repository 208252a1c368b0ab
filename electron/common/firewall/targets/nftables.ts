import type { FirewallInput, NftChainHint } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, reasonLines } from './shared';

/**
 * nftables: an `nft -f` file of `insert rule` lines into the chain that drops. An accept in a
 * table of our own would not override another table's drop, so the rules go into the dropping
 * chain itself (from detection), default `inet filter output`. Every rule carries
 * `comment "pathcheck"`; undo deletes exactly those rules by handle.
 */

export const DEFAULT_NFT_CHAIN: NftChainHint = { family: 'inet', table: 'filter', chain: 'output' };

function set(values: readonly string[]): string {
  return values.length === 1 ? (values[0] ?? '') : `{ ${values.join(', ')} }`;
}

/** The nft rule bodies (without `insert rule <family> <table> <chain>`), shared with the apply plan. */
export function nftRuleBodies(input: FirewallInput, tag = input.tag): string[] {
  const hint = input.nft ?? DEFAULT_NFT_CHAIN;
  const { rules } = planDestinations(input, nftables);
  const out: string[] = [];
  for (const d of rules) {
    const ports = `${d.req.protocol} dport ${set(d.req.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)))}`;
    if (d.any) {
      out.push(`${ports} accept comment "${tag}"`);
      continue;
    }
    if (d.v4.length > 0 && hint.family !== 'ip6') out.push(`ip daddr ${set(d.v4)} ${ports} accept comment "${tag}"`);
    if (d.v6.length > 0 && hint.family !== 'ip') out.push(`ip6 daddr ${set(d.v6)} ${ports} accept comment "${tag}"`);
  }
  return out;
}

/** Shell text that removes every rule tagged `comment "<tag>"` from the chain, by handle. */
export function nftUndoScript(hint: NftChainHint, tag: string): string {
  const where = `${hint.family} ${hint.table} ${hint.chain}`;
  return joinLines([
    '#!/bin/sh',
    `# Pathcheck: remove the rules tagged comment "${tag}" from ${where}`,
    'set -eu',
    `nft -a list chain ${where} | sed -n 's/.* comment "${tag}" # handle \\([0-9][0-9]*\\)$/\\1/p' | while read -r h; do`,
    `  nft delete rule ${where} handle "$h"`,
    'done',
  ]);
}

function generateNftables(input: FirewallInput): TargetOutput {
  const hint = input.nft ?? DEFAULT_NFT_CHAIN;
  const where = `${hint.family} ${hint.table} ${hint.chain}`;
  const { rules, remarks } = planDestinations(input, nftables);
  const lines = [
    '#!/usr/sbin/nft -f',
    ...commentBlock(
      '# ',
      headerLines(input, `nftables (${where})`, `undo deletes the rules with comment "${input.tag}"`),
    ),
    `# Inserted into ${where}: an accept in another table would not override this chain's drop.`,
    '# Run as root: nft -f <this file>',
    ...commentBlock('# ', remarks),
  ];
  const bodies = nftRuleBodies(input);
  for (const d of rules) lines.push(...commentBlock('# ', reasonLines(d.req)));
  for (const b of bodies) lines.push(`insert rule ${where} ${b}`);
  const notes = [
    `Rules go into ${where}${input.nft ? ' (where detection found the drop)' : ' (default; pass the dropping chain from detection when it differs)'}.`,
    'Re-applying adds the rules again: run the undo script first (it removes every rule tagged "pathcheck").',
    ...remarks,
  ];
  if (hint.family === 'ip' && rules.some((r) => r.v6.length > 0))
    notes.push('IPv6 destinations skipped: the chain is in an ip (IPv4-only) table.');
  if (hint.family === 'ip6' && rules.some((r) => r.v4.length > 0))
    notes.push('IPv4 destinations skipped: the chain is in an ip6 table.');
  return { format: 'nft', text: joinLines(lines), undo: nftUndoScript(hint, input.tag), notes };
}

export const nftables = defineTarget({
  id: 'nftables',
  label: 'Linux nftables',
  kind: 'local-linux',
  supportsHostnames: false,
  generate: generateNftables,
});
