import {
  iptablesNftUndoLines,
  isIptablesNftTable,
  nftDiscoverScript,
  nftDiscoverUndo,
  type DiscoverRule,
} from '../nft-discover';
import type { FirewallInput, NftChainHint } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, reasonLines } from './shared';

/**
 * nftables: an `nft -f` file of `insert rule` lines into every chain that drops. An accept in a
 * table of our own would not override another table's drop, and a packet must get through each
 * base chain on the output hook, so the rules go into each dropping chain itself (from detection
 * or the report's `firewall.local`). When those chains are not known (a report from another
 * machine, an older version, detection without root) the output is a bash script that finds them
 * when it runs, exactly as the elevated apply does (`../nft-discover.ts`). Every rule carries
 * `comment "pathcheck"`; undo deletes exactly those rules by handle.
 */

/** The chain of a stock nftables setup; kept for callers that name it. */
export const DEFAULT_NFT_CHAIN: NftChainHint = { family: 'inet', table: 'filter', chain: 'output' };

function set(values: readonly string[]): string {
  return values.length === 1 ? (values[0] ?? '') : `{ ${values.join(', ')} }`;
}

/** The rule bodies (after `insert rule <family> <table> <chain>`) with the address family each needs (0 = any). */
function familyBodies(input: FirewallInput, tag = input.tag): DiscoverRule[] {
  const { rules } = planDestinations(input, nftables);
  const out: DiscoverRule[] = [];
  for (const d of rules) {
    const ports = `${d.req.protocol} dport ${set(d.req.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)))}`;
    if (d.any) {
      out.push({ family: 0, body: `${ports} accept comment "${tag}"` });
      continue;
    }
    if (d.v4.length > 0) out.push({ family: 4, body: `ip daddr ${set(d.v4)} ${ports} accept comment "${tag}"` });
    if (d.v6.length > 0) out.push({ family: 6, body: `ip6 daddr ${set(d.v6)} ${ports} accept comment "${tag}"` });
  }
  return out;
}

/** The same rules with one address and one port range each: the form iptables-nft reads back (`isIptablesNftTable`). */
function singleBodies(input: FirewallInput, tag = input.tag): DiscoverRule[] {
  const { rules } = planDestinations(input, nftables);
  const out: DiscoverRule[] = [];
  for (const d of rules) {
    for (const [a, b] of d.req.ports) {
      const ports = `${d.req.protocol} dport ${a === b ? `${a}` : `${a}-${b}`}`;
      if (d.any) out.push({ family: 0, body: `${ports} accept comment "${tag}"` });
      for (const x of d.v4) out.push({ family: 4, body: `ip daddr ${x} ${ports} accept comment "${tag}"` });
      for (const x of d.v6) out.push({ family: 6, body: `ip6 daddr ${x} ${ports} accept comment "${tag}"` });
    }
  }
  return out;
}

/** The bodies a chain of this family takes: an ip table sees only IPv4 packets, an ip6 table only IPv6. */
const fits = (hint: NftChainHint, r: DiscoverRule): boolean =>
  !((hint.family === 'ip' && r.family === 6) || (hint.family === 'ip6' && r.family === 4));

/** The nft rule bodies (without `insert rule <family> <table> <chain>`) for the input's first chain. */
export function nftRuleBodies(input: FirewallInput, tag = input.tag): string[] {
  const hint = chainsOf(input)?.[0] ?? DEFAULT_NFT_CHAIN;
  return familyBodies(input, tag)
    .filter((r) => fits(hint, r))
    .map((r) => r.body);
}

/** The chains the input names (every dropping chain, else the single hint); null when unknown. */
function chainsOf(input: FirewallInput): NftChainHint[] | null {
  if (input.nftChains && input.nftChains.length > 0) return input.nftChains;
  return input.nft ? [input.nft] : null;
}

/** Shell text that removes every rule tagged `comment "<tag>"` from these chains, by handle. */
export function nftUndoScript(hints: readonly NftChainHint[], tag: string): string {
  const lines = ['#!/bin/sh', `# Pathcheck: remove the rules tagged comment "${tag}"`, 'set -eu'];
  for (const hint of hints) {
    const where = `${hint.family} ${hint.table} ${hint.chain}`;
    lines.push(
      `nft -a list chain ${where} | sed -n 's/.* comment "${tag}" # handle \\([0-9][0-9]*\\)$/\\1/p' | while read -r h; do`,
      `  nft delete rule ${where} handle "$h"`,
      'done',
    );
    if (isIptablesNftTable(hint))
      lines.push(...iptablesNftUndoLines(tag, hint.family === 'ip' ? 'iptables-nft' : 'ip6tables-nft', hint.chain));
  }
  return joinLines(lines);
}

function generateNftables(input: FirewallInput): TargetOutput {
  const chains = chainsOf(input);
  const { rules, remarks } = planDestinations(input, nftables);
  const bodies = familyBodies(input);
  const reasons = rules.flatMap((d) => commentBlock('# ', reasonLines(d.req)));
  const undoHint = `undo deletes the rules with comment "${input.tag}"`;
  const notes = [
    'Re-applying adds the rules again: run the undo script first (it removes every rule tagged "pathcheck").',
    ...remarks,
  ];
  if (!chains) {
    const header = [
      ...commentBlock('# ', headerLines(input, 'nftables (the output chains that drop)', undoHint)),
      '# The report does not say which nftables chains drop this traffic (made on another computer, by an',
      '# older version, or without administrator rights), so this script finds them when it runs, as',
      "# Pathcheck's own elevated step does: the base chains on the output hook of type filter that drop",
      "# (policy drop or a drop/reject rule), never another product's table (VPN kill switch, containers,",
      '# firewalld). It inserts each rule into each of them; if nft refuses one, it removes what it added.',
      '# Run as root: bash <this file>   (needs nft and jq)',
      ...commentBlock('# ', remarks),
      ...reasons,
    ];
    return {
      format: 'shell',
      text: nftDiscoverScript(header, bodies, singleBodies(input)),
      undo: nftDiscoverUndo(input.tag),
      notes: [
        'The dropping chains are not known from the report: this script finds the output chains that drop when it runs, as root, and inserts the rules into each.',
        ...notes,
      ],
    };
  }
  const names = chains.map((c) => `${c.family} ${c.table} ${c.chain}`);
  const lines = [
    '#!/usr/sbin/nft -f',
    ...commentBlock('# ', headerLines(input, `nftables (${names.join(', ')})`, undoHint)),
    chains.length === 1
      ? `# Inserted into ${names[0]}: an accept in another table would not override this chain's drop.`
      : `# Inserted into each of ${names.join(', ')}: every one of them drops this traffic, and a packet must get through each (an accept in one does not override another's drop).`,
    '# Run as root: nft -f <this file>   (one transaction: all rules or none)',
    ...commentBlock('# ', remarks),
    ...reasons,
  ];
  if (chains.some(isIptablesNftTable))
    lines.push(
      "# In iptables-nft's tables (ip/ip6 filter) one address and one port range per rule: iptables-nft reads back only that form.",
    );
  const single = singleBodies(input);
  for (const [i, c] of chains.entries())
    for (const r of isIptablesNftTable(c) ? single : bodies)
      if (fits(c, r)) lines.push(`insert rule ${names[i]} ${r.body}`);
  notes.unshift(`Rules go into ${names.join(', ')} (where the drop was found).`);
  for (const c of chains) {
    const skipped = bodies.filter((r) => !fits(c, r));
    if (skipped.length > 0)
      notes.push(
        `${c.family === 'ip' ? 'IPv6' : 'IPv4'} destinations skipped in ${c.family} ${c.table} ${c.chain}: the chain is in an ${c.family} table.`,
      );
  }
  return { format: 'nft', text: joinLines(lines), undo: nftUndoScript(chains, input.tag), notes };
}

export const nftables = defineTarget({
  id: 'nftables',
  label: 'Linux nftables',
  kind: 'local-linux',
  supportsHostnames: false,
  generate: generateNftables,
});
