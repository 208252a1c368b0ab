import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portText, reasonLines } from './shared';

/**
 * ufw: `ufw allow out proto udp to CIDR port a,b:c comment pathcheck`. ufw takes up to 15
 * ports per rule (ranges count twice), so long lists are split. Undo deletes the numbered rules
 * whose comment is the tag, highest number first.
 */
function generateUfw(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, ufw);
  const lines = [
    '#!/bin/sh',
    ...commentBlock('# ', headerLines(input, 'ufw', `undo deletes the rules with comment "${input.tag}"`)),
    '# Run as root. Only needed when ufw denies outgoing traffic (ufw status verbose: "deny (outgoing)").',
    ...commentBlock('# ', remarks),
    'set -eu',
  ];
  for (const d of rules) {
    lines.push(...commentBlock('# ', reasonLines(d.req)));
    const dests = d.any ? ['any'] : [...d.v4, ...d.v6];
    const groups: string[][] = [];
    let cur: string[] = [];
    let w = 0;
    for (const p of d.req.ports) {
      const pw = p[0] === p[1] ? 1 : 2;
      if (w + pw > 15) {
        groups.push(cur);
        cur = [];
        w = 0;
      }
      cur.push(portText(p, ':'));
      w += pw;
    }
    groups.push(cur);
    for (const dst of dests) {
      for (const g of groups)
        lines.push(`ufw allow out proto ${d.req.protocol} to ${dst} port ${g.join(',')} comment ${input.tag}`);
    }
  }
  const undo = joinLines([
    '#!/bin/sh',
    `# Pathcheck: delete the ufw rules commented "${input.tag}" (highest number first)`,
    'set -eu',
    `ufw status numbered | sed -n 's/^\\[ *\\([0-9][0-9]*\\)\\].*# ${input.tag}$/\\1/p' | sort -rn | while read -r n; do`,
    '  ufw --force delete "$n"',
    'done',
  ]);
  return { format: 'shell', text: joinLines(lines), undo, notes: remarks };
}

export const ufw = defineTarget({
  id: 'ufw',
  label: 'Linux ufw',
  kind: 'local-linux',
  supportsHostnames: false,
  generate: generateUfw,
});
