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

/** The commands for one family: the variants that hold the drop, or null when that is not known. */
function commandsFor(input: FirewallInput, family: 4 | 6): string[] | null {
  const base = family === 4 ? 'iptables' : 'ip6tables';
  const v = input.iptablesVariants ?? [];
  return v.length > 0 ? v.map((x) => `${base}-${x}`) : null;
}

/**
 * `ins <command> -I OUTPUT <spec>` runs one insert; if one is refused (say ip6tables on a kernel
 * without IPv6), the rules this run inserted are deleted again by their exact spec and the script
 * exits 3, so nothing is left half-applied. Specs are validated tokens (no space, no glob character).
 */
const ROLLBACK = [
  '# If a command refuses a rule, the rules this script inserted are deleted again (exit 3): nothing half-applied.',
  'set -f',
  "added=''",
  'rollback() {',
  '  printf \'%s\' "$added" | while read -r c i chain spec; do "$c" -D "$chain" $spec || true; done',
  '  echo "pathcheck: a rule was refused; the rules this script added were removed again" >&2',
  '  exit 3',
  '}',
  'ins() {',
  '  "$@" || rollback',
  '  added="$added$*',
  '"',
  '}',
];

/**
 * Shell function printing the iptables commands whose OUTPUT chain drops (policy DROP or a
 * DROP/REJECT rule), of iptables-legacy and iptables-nft; plain iptables when neither does.
 */
const HOLDS_DROP = [
  "# Which iptables holds the drop is not known from the report: Debian's iptables package ships both",
  '# iptables-legacy and iptables-nft (and iptables is one of them); these rules go into whichever',
  '# OUTPUT chain drops (its policy or a DROP/REJECT rule), else into plain iptables.',
  'holds_drop() {',
  '  found=""',
  '  for v in legacy nft; do',
  '    command -v "$1-$v" >/dev/null 2>&1 || continue',
  '    if "$1-$v" -S OUTPUT 2>/dev/null | grep -Eq \'^-P OUTPUT DROP|-j (DROP|REJECT)\'; then found="$found $1-$v"; fi',
  '  done',
  '  echo "${found:-$1}"',
  '}',
];

function generateIptables(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, iptables);
  const known = commandsFor(input, 4) !== null;
  const lines = [
    '#!/bin/sh',
    ...commentBlock(
      '# ',
      headerLines(input, 'iptables/ip6tables (OUTPUT chain)', `undo deletes the rules with comment "${input.tag}"`),
    ),
    '# Run as root. Rules are inserted at the top of OUTPUT.',
    ...(known ? [`# Into ${commandsFor(input, 4)!.join(' and ')}: where the report found the drop.`] : []),
    ...commentBlock('# ', remarks),
    'set -eu',
    ...ROLLBACK,
    ...(known ? [] : HOLDS_DROP),
  ];
  for (const d of rules) lines.push(...commentBlock('# ', reasonLines(d.req)));
  for (const family of [4, 6] as const) {
    const specs = iptablesSpecs(input, family);
    if (specs.length === 0) continue;
    const cmds = commandsFor(input, family);
    if (cmds) for (const c of cmds) for (const s of specs) lines.push(`ins ${c} -I OUTPUT ${s}`);
    else {
      lines.push(`for ipt in $(holds_drop ${family === 4 ? 'iptables' : 'ip6tables'}); do`);
      for (const s of specs) lines.push(`  ins "$ipt" -I OUTPUT ${s}`);
      lines.push('done');
    }
  }
  const undoCmds = known
    ? [...commandsFor(input, 4)!, ...commandsFor(input, 6)!].join(' ')
    : 'iptables ip6tables iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft';
  const undo = joinLines([
    '#!/bin/sh',
    `# Pathcheck: delete the OUTPUT rules tagged with comment "${input.tag}" (highest line number first)`,
    'set -eu',
    `for cmd in ${undoCmds}; do`,
    '  command -v "$cmd" >/dev/null 2>&1 || continue',
    `  "$cmd" -L OUTPUT -n --line-numbers | awk '/\\/\\* ${input.tag} \\*\\//{print $1}' | sort -rn | while read -r n; do`,
    '    "$cmd" -D OUTPUT "$n"',
    '  done',
    'done',
  ]);
  return {
    format: 'shell',
    text: joinLines(lines),
    undo,
    notes: [
      known
        ? `The drop is in ${commandsFor(input, 4)!.join(' and ')} (report: firewall.local), so the rules use that command.`
        : 'Which iptables holds the drop (iptables-legacy or iptables-nft) is not known from the report: the script looks when it runs.',
      'If a rule is refused, the script deletes the rules it inserted again (exit 3); the undo script removes every rule tagged "pathcheck".',
      'Also available as iptables-restore input (iptables-restore --noflush).',
      ...remarks,
    ],
  };
}

export const iptables = defineTarget({
  id: 'iptables',
  label: 'Linux iptables',
  kind: 'local-linux',
  supportsHostnames: false,
  generate: generateIptables,
});
