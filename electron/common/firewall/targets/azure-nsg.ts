import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portText, reasonLines } from './shared';

/**
 * Azure network security group outbound rules (`az network nsg rule create --direction Outbound`).
 * A rule may not mix IPv4 and IPv6 prefixes, so each family gets its own rule; priorities start at
 * 1000 (adjust to sit above your deny rules). Undo deletes the rules by name.
 */
function generateAzureNsg(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, azureNsg);
  const lines = [
    '#!/bin/sh',
    ...commentBlock(
      '# ',
      headerLines(input, 'Azure network security group (outbound)', 'undo deletes the rules named pathcheck-*'),
    ),
    '# Set RG and NSG; priorities 1000+ must be lower (= evaluated earlier) than your outbound deny rules.',
    ...commentBlock('# ', remarks),
    'set -eu',
    ': "${RG:?set RG to the resource group}"',
    ': "${NSG:?set NSG to the network security group name}"',
  ];
  const names: string[] = [];
  let prio = 1000;
  for (const d of rules) {
    lines.push(...commentBlock('# ', reasonLines(d.req)));
    const fams: Array<[string, string[]]> = d.any
      ? [['', ['*']]]
      : [
          ['-v4', d.v4],
          ['-v6', d.v6],
        ];
    for (const [suffix, prefixes] of fams) {
      if (prefixes.length === 0) continue;
      const name = `${d.req.name}${suffix}`;
      names.push(name);
      const proto = d.req.protocol === 'udp' ? 'Udp' : 'Tcp';
      const dst = prefixes.map((p) => (p === '*' ? "'*'" : p)).join(' ');
      lines.push(
        `az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name ${name} --priority ${prio}` +
          ` --direction Outbound --access Allow --protocol ${proto} --source-address-prefixes '*' --source-port-ranges '*'` +
          ` --destination-address-prefixes ${dst} --destination-port-ranges ${d.req.ports.map((p) => portText(p)).join(' ')} --description ${input.tag}`,
      );
      prio += 10;
    }
  }
  const undo = joinLines([
    '#!/bin/sh',
    '# Pathcheck: delete the NSG rules added above',
    'set -eu',
    ': "${RG:?set RG}"',
    ': "${NSG:?set NSG}"',
    ...names.map((n) => `az network nsg rule delete --resource-group "$RG" --nsg-name "$NSG" --name ${n}`),
  ]);
  return {
    format: 'shell',
    text: joinLines(lines),
    undo,
    notes: ['Priorities start at 1000; adjust them to sit above your deny rules.', ...remarks],
  };
}

export const azureNsg = defineTarget({
  id: 'azure-nsg',
  label: 'Azure NSG (outbound)',
  kind: 'cloud',
  supportsHostnames: false,
  generate: generateAzureNsg,
});
