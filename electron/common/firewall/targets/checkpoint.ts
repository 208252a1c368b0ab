import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portText, reasonLines, splitCidr } from './shared';

/**
 * Check Point (management API, `mgmt_cli` on the management server): network/host/dns-domain
 * objects, a group, services and an access rule at the top of layer "Network", all tagged
 * `pathcheck`, then publish. Undo deletes the same objects by name.
 */
function generateCheckpoint(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, checkpoint);
  const t = input.tag;
  const cli = 'mgmt_cli -s pathcheck-session.txt';
  const lines = [
    '#!/bin/sh',
    ...commentBlock(
      '# ',
      headerLines(
        input,
        'Check Point (mgmt_cli on the management server)',
        `objects carry tag "${t}"; undo deletes them by name`,
      ),
    ),
    '# Layer "Network" is assumed; change it to your policy\'s access layer.',
    ...commentBlock('# ', remarks),
    'set -eu',
    'mgmt_cli login -r true > pathcheck-session.txt',
  ];
  const undoRules: string[] = [];
  const undoObj: string[] = [];
  for (const d of rules) {
    const n = d.req.name;
    lines.push(...commentBlock('# ', reasonLines(d.req)));
    let dst = 'Any';
    if (!d.any) {
      const members: string[] = [];
      [...d.v4, ...d.v6].forEach((c, i) => {
        const m = `${n}-a${i + 1}`;
        const { addr, len, family } = splitCidr(c);
        members.push(m);
        if (len === (family === 4 ? 32 : 128)) {
          lines.push(`${cli} add host name ${m} ${family === 4 ? 'ip-address' : 'ipv6-address'} ${addr} tags.1 ${t}`);
          undoObj.push(`${cli} delete host name ${m}`);
        } else {
          lines.push(
            `${cli} add network name ${m} ${family === 4 ? 'subnet4' : 'subnet6'} ${addr} ${family === 4 ? 'mask-length4' : 'mask-length6'} ${len} tags.1 ${t}`,
          );
          undoObj.push(`${cli} delete network name ${m}`);
        }
      });
      d.hosts.forEach((h) => {
        const wild = h.startsWith('*.');
        const m = `.${wild ? h.slice(2) : h}`;
        members.push(m);
        lines.push(`${cli} add dns-domain name ${m} is-sub-domain ${wild} tags.1 ${t}`);
        undoObj.push(`${cli} delete dns-domain name ${m}`);
      });
      lines.push(
        `${cli} add group name ${n}-dst ${members.map((m, i) => `members.${i + 1} ${m}`).join(' ')} tags.1 ${t}`,
      );
      undoObj.unshift(`${cli} delete group name ${n}-dst`);
      dst = `${n}-dst`;
    }
    const svcType = `service-${d.req.protocol}`;
    const svcs = d.req.ports.map((p, i) => {
      lines.push(`${cli} add ${svcType} name ${n}-p${i + 1} port ${portText(p)} tags.1 ${t}`);
      return `${n}-p${i + 1}`;
    });
    lines.push(
      `${cli} add service-group name ${n} ${svcs.map((s, i) => `members.${i + 1} ${s}`).join(' ')} tags.1 ${t}`,
    );
    lines.push(
      `${cli} add access-rule layer Network position top name ${n} source Any destination ${dst} service ${n} action Accept track.type Log comments ${t}`,
    );
    undoRules.push(`${cli} delete access-rule layer Network name ${n}`);
    undoObj.unshift(`${cli} delete service-group name ${n}`, ...svcs.map((s) => `${cli} delete ${svcType} name ${s}`));
  }
  lines.push(`${cli} publish`, `${cli} logout`);
  const undo = [
    '#!/bin/sh',
    '# Pathcheck: delete the access rules, then the objects, then publish',
    'set -eu',
    'mgmt_cli login -r true > pathcheck-session.txt',
    ...undoRules,
    ...undoObj,
    `${cli} publish`,
    `${cli} logout`,
  ];
  return {
    format: 'shell',
    text: joinLines(lines),
    undo: joinLines(undo),
    notes: ['Access layer "Network" is assumed; adjust it.', ...remarks],
  };
}

export const checkpoint = defineTarget({
  id: 'checkpoint',
  label: 'Check Point (mgmt_cli)',
  kind: 'perimeter',
  supportsHostnames: true,
  supportsWildcards: true,
  generate: generateCheckpoint,
});
