import type { PortRange } from '../../net/ranges';
import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portText, reasonLines } from './shared';

/**
 * iptables / ip6tables: a root shell script of `-I OUTPUT` rules tagged with
 * `-m comment --comment pathcheck`, plus an iptables-restore form (used by
 * `iptables-restore --test`). Undo deletes the tagged rules by line number, highest first.
 */

/** multiport takes at most 15 ports, a range counting as two. */
function portGroups(ports: readonly PortRange[]): PortRange[][] {
  const groups: PortRange[][] = [];
  let cur: PortRange[] = [];
  let weight = 0;
  for (const p of ports) {
    const w = p[0] === p[1] ? 1 : 2;
    if (weight + w > 15) {
      groups.push(cur);
      cur = [];
      weight = 0;
    }
    cur.push(p);
    weight += w;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

function portMatch(ports: readonly PortRange[]): string {
  if (ports.length === 1 && ports[0]) return `--dport ${portText(ports[0], ':')}`;
  return `-m multiport --dports ${ports.map((p) => portText(p, ':')).join(',')}`;
}

/** Rule specs (everything after `-I OUTPUT`) per address family. */
export function iptablesSpecs(input: FirewallInput, family: 4 | 6): string[] {
  const { rules } = planDestinations(input, iptables);
  const out: string[] = [];
  for (const d of rules) {
    const dests = d.any ? [null] : family === 4 ? d.v4 : d.v6;
    for (const dst of dests) {
      for (const g of portGroups(d.req.ports)) {
        const to = dst === null ? '' : ` -d ${dst}`;
        out.push(`-p ${d.req.protocol}${to} ${portMatch(g)} -m comment --comment ${input.tag} -j ACCEPT`);
      }
    }
  }
  return out;
}

/** iptables-restore input (with `--noflush` it only inserts; `--test` checks it without applying). */
export function iptablesRestoreText(input: FirewallInput, family: 4 | 6): string {
  return joinLines(['*filter', ...iptablesSpecs(input, family).map((s) => `-I OUTPUT 1 ${s}`), 'COMMIT']);
}

function generateIptables(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, iptables);
  const lines = [
    '#!/bin/sh',
    ...commentBlock(
      '# ',
      headerLines(input, 'iptables/ip6tables (OUTPUT chain)', `undo deletes the rules with comment "${input.tag}"`),
    ),
    '# Run as root. Rules are inserted at the top of OUTPUT.',
    ...commentBlock('# ', remarks),
    'set -eu',
  ];
  for (const d of rules) lines.push(...commentBlock('# ', reasonLines(d.req)));
  for (const s of iptablesSpecs(input, 4)) lines.push(`iptables -I OUTPUT ${s}`);
  for (const s of iptablesSpecs(input, 6)) lines.push(`ip6tables -I OUTPUT ${s}`);
  const undo = joinLines([
    '#!/bin/sh',
    `# Pathcheck: delete the OUTPUT rules tagged with comment "${input.tag}" (highest line number first)`,
    'set -eu',
    'for cmd in iptables ip6tables; do',
    `  "$cmd" -L OUTPUT -n --line-numbers | awk '/\\/\\* ${input.tag} \\*\\//{print $1}' | sort -rn | while read -r n; do`,
    '    "$cmd" -D OUTPUT "$n"',
    '  done',
    'done',
  ]);
  return {
    format: 'shell',
    text: joinLines(lines),
    undo,
    notes: ['Also available as iptables-restore input (iptables-restore --noflush).', ...remarks],
  };
}

export const iptables = defineTarget({
  id: 'iptables',
  label: 'Linux iptables',
  kind: 'local-linux',
  supportsHostnames: false,
  generate: generateIptables,
});
