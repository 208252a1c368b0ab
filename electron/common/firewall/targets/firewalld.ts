import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portText, reasonLines } from './shared';

/**
 * firewalld: outbound filtering needs a policy object (ingress zone HOST → egress zone ANY);
 * zones only filter inbound. The policy is named after the tag, so undo deletes it whole.
 * Needs firewalld 0.9 or later (policy objects).
 */
function generateFirewalld(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, firewalld);
  const p = input.tag;
  const lines = [
    '#!/bin/sh',
    ...commentBlock(
      '# ',
      headerLines(input, 'firewalld (policy object HOST -> ANY)', `undo deletes the policy "${p}"`),
    ),
    '# Run as root; needs firewalld 0.9+ (policy objects).',
    ...commentBlock('# ', remarks),
    'set -eu',
    `firewall-cmd --permanent --info-policy ${p} >/dev/null 2>&1 || firewall-cmd --permanent --new-policy ${p}`,
    `firewall-cmd --permanent --policy ${p} --add-ingress-zone HOST`,
    `firewall-cmd --permanent --policy ${p} --add-egress-zone ANY`,
    // Policies with a negative priority run before the zones, the lowest first: this one before any other.
    `firewall-cmd --permanent --policy ${p} --set-priority -32768`,
  ];
  for (const d of rules) {
    lines.push(...commentBlock('# ', reasonLines(d.req)));
    const dests: Array<[string, string | null]> = d.any
      ? [['', null]]
      : [...d.v4.map((a): [string, string] => ['ipv4', a]), ...d.v6.map((a): [string, string] => ['ipv6', a])];
    for (const [fam, addr] of dests) {
      for (const range of d.req.ports) {
        const head = addr === null ? 'rule' : `rule family="${fam}" destination address="${addr}"`;
        const rich = `${head} port port="${portText(range)}" protocol="${d.req.protocol}" accept`;
        lines.push(`firewall-cmd --permanent --policy ${p} --add-rich-rule='${rich}'`);
      }
    }
  }
  lines.push('firewall-cmd --reload');
  const undo = joinLines([
    '#!/bin/sh',
    `# Pathcheck: delete the firewalld policy "${p}" and everything in it`,
    'set -eu',
    `firewall-cmd --permanent --delete-policy ${p}`,
    'firewall-cmd --reload',
  ]);
  return {
    format: 'shell',
    text: joinLines(lines),
    undo,
    notes: [
      'Needs firewalld 0.9 or later (policy objects).',
      'A drop added with firewall-cmd --direct is not overridden by a policy: remove that direct rule (firewall-cmd --permanent --direct --get-all-rules lists them).',
      ...remarks,
    ],
  };
}

export const firewalld = defineTarget({
  id: 'firewalld',
  label: 'Linux firewalld (policy)',
  kind: 'local-linux',
  supportsHostnames: false,
  generate: generateFirewalld,
});
