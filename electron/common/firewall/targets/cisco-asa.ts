import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, reasonLines, splitCidr, v4Mask } from './shared';

/**
 * Cisco ASA (9.x): network and service object-groups plus `access-list … extended permit` lines in
 * an ACL named after the tag. The admin merges them into the ACL bound to the inside interface;
 * binding is left to them because `access-group` would replace the current binding.
 */
export const ASA_ACL = 'PATHCHECK-OUT';

function networkObject(cidr: string): string {
  const { addr, len, family } = splitCidr(cidr);
  if (family === 4) return len === 32 ? ` network-object host ${addr}` : ` network-object ${addr} ${v4Mask(len)}`;
  return len === 128 ? ` network-object host ${addr}` : ` network-object ${addr}/${len}`;
}

function generateCiscoAsa(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, ciscoAsa);
  const lines = [
    ...commentBlock(
      '! ',
      headerLines(input, 'Cisco ASA', 'undo removes the objects and ACL entries named PATHCHECK-*'),
    ),
    `! Merge the ${ASA_ACL} entries into the ACL your inside interface uses (show run access-group),`,
    '! above its deny entries. FQDN objects need "dns domain-lookup" on the ASA.',
    ...commentBlock('! ', remarks),
  ];
  const undo: string[] = ['! Pathcheck: remove what was added (ACL entries first, then the objects)'];
  const undoObjects: string[] = [];
  for (const d of rules) {
    const base = d.req.name.toUpperCase();
    const proto = d.req.protocol;
    lines.push(...commentBlock('! ', reasonLines(d.req)));
    let dst = 'any';
    if (!d.any) {
      const fqdnObjs = d.hosts.map((h, i) => ({ name: `${base}-H${i + 1}`, host: h }));
      for (const o of fqdnObjs) {
        lines.push(`object network ${o.name}`, ` fqdn ${o.host}`);
        undoObjects.push(`no object network ${o.name}`);
      }
      lines.push(
        `object-group network ${base}-DST`,
        ...[...d.v4, ...d.v6].map(networkObject),
        ...fqdnObjs.map((o) => ` network-object object ${o.name}`),
      );
      undoObjects.unshift(`no object-group network ${base}-DST`);
      dst = `object-group ${base}-DST`;
    }
    lines.push(`object-group service ${base}-PORTS ${proto}`);
    for (const [a, b] of d.req.ports) lines.push(a === b ? ` port-object eq ${a}` : ` port-object range ${a} ${b}`);
    undoObjects.unshift(`no object-group service ${base}-PORTS ${proto}`);
    const ace = `access-list ${ASA_ACL} extended permit ${proto} any ${dst} object-group ${base}-PORTS`;
    lines.push(`access-list ${ASA_ACL} remark ${input.tag} ${d.req.name}`, ace);
    undo.push(`no ${ace}`, `no access-list ${ASA_ACL} remark ${input.tag} ${d.req.name}`);
  }
  return { format: 'config', text: joinLines(lines), undo: joinLines([...undo, ...undoObjects]), notes: remarks };
}

export const ciscoAsa = defineTarget({
  id: 'cisco-asa',
  label: 'Cisco ASA',
  kind: 'perimeter',
  supportsHostnames: true,
  generate: generateCiscoAsa,
});
