import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { headerLines, joinLines, planDestinations, portText, reasonLines } from './shared';

/**
 * Palo Alto PAN-OS `set` commands (configure mode): address objects, an address group, a service
 * and a security rule per requirement, all tagged `pathcheck`. Zones `trust`/`untrust` are the
 * common defaults; the notes say to adjust them. Commit afterwards.
 */
function generatePanos(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, panos);
  const t = input.tag;
  // The PAN-OS CLI has no comment syntax: the header goes to notes, the reason into each rule's description.
  const lines = [`set tag ${t} comments "Added by Pathcheck"`];
  const undo: string[] = ['# Pathcheck: delete the rules first, then the objects; then commit'];
  const undoObjects: string[] = [];
  for (const d of rules) {
    const n = d.req.name;
    let dst = 'any';
    if (!d.any) {
      const members: string[] = [];
      [...d.v4, ...d.v6].forEach((c, i) => {
        members.push(`${n}-a${i + 1}`);
        lines.push(`set address ${n}-a${i + 1} ip-netmask ${c}`, `set address ${n}-a${i + 1} tag ${t}`);
      });
      d.hosts.forEach((h, i) => {
        members.push(`${n}-h${i + 1}`);
        lines.push(`set address ${n}-h${i + 1} fqdn ${h}`, `set address ${n}-h${i + 1} tag ${t}`);
      });
      lines.push(`set address-group ${n}-dst static [ ${members.join(' ')} ]`, `set address-group ${n}-dst tag ${t}`);
      undoObjects.push(`delete address-group ${n}-dst`, ...members.map((m) => `delete address ${m}`));
      dst = `${n}-dst`;
    }
    lines.push(
      `set service ${n} protocol ${d.req.protocol} port ${d.req.ports.map((p) => portText(p)).join(',')}`,
      `set service ${n} tag ${t}`,
    );
    undoObjects.unshift(`delete service ${n}`);
    const rule = `set rulebase security rules ${n}`;
    lines.push(
      `${rule} from trust to untrust source any destination ${dst} application any service ${n} action allow`,
      `${rule} tag ${t}`,
      `${rule} description "${d.req.purposes.length ? `${t}: ${d.req.purposes.join(', ')}` : t}"`,
      `move rulebase security rules ${n} top`,
    );
    undo.push(`delete rulebase security rules ${n}`);
  }
  return {
    format: 'config',
    text: joinLines(lines),
    undo: joinLines([...undo, ...undoObjects, `delete tag ${t}`]),
    notes: [
      ...headerLines(input, 'Palo Alto PAN-OS (configure mode)', `undo deletes the objects and rules tagged ${t}`),
      'Zones trust -> untrust are assumed; change them to your inside/outside zones, then commit.',
      ...rules.flatMap((d) => reasonLines(d.req).map((l) => l.trim())),
      ...remarks,
    ],
  };
}

export const panos = defineTarget({
  id: 'panos',
  label: 'Palo Alto PAN-OS',
  kind: 'perimeter',
  supportsHostnames: true,
  generate: generatePanos,
});
