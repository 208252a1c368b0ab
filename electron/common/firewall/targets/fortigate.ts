import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import {
  commentBlock,
  headerLines,
  joinLines,
  planDestinations,
  portText,
  reasonLines,
  splitCidr,
  v4Mask,
} from './shared';

/**
 * FortiGate (FortiOS 7.x CLI): addresses (IPv4 `subnet`, IPv6 `address6`, FQDN), address groups,
 * a custom service and one policy per requirement named after the rule, comment `pathcheck`.
 * Interfaces `internal` → `wan1` are assumed. Policies are keyed by id, so undo lists the object
 * deletions and says how to find the policy ids.
 */
function generateFortigate(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, fortigate);
  const t = input.tag;
  const addr: string[] = [];
  const addr6: string[] = [];
  const grp: string[] = [];
  const grp6: string[] = [];
  const svc: string[] = [];
  const pol: string[] = [];
  const undoObj: string[] = [];
  const desc: string[] = [];
  for (const d of rules) {
    const n = d.req.name;
    desc.push(...reasonLines(d.req));
    const v4Members: string[] = [];
    const v6Members: string[] = [];
    d.v4.forEach((c, i) => {
      const { addr: a, len } = splitCidr(c);
      v4Members.push(`${n}-a${i + 1}`);
      addr.push(
        `    edit "${n}-a${i + 1}"`,
        `        set subnet ${a} ${v4Mask(len)}`,
        `        set comment "${t}"`,
        '    next',
      );
    });
    d.hosts.forEach((h, i) => {
      v4Members.push(`${n}-h${i + 1}`);
      addr.push(
        `    edit "${n}-h${i + 1}"`,
        '        set type fqdn',
        `        set fqdn "${h}"`,
        `        set comment "${t}"`,
        '    next',
      );
    });
    d.v6.forEach((c, i) => {
      v6Members.push(`${n}-b${i + 1}`);
      addr6.push(
        `    edit "${n}-b${i + 1}"`,
        `        set ip6 ${c.includes('/') ? c : `${c}/128`}`,
        `        set comment "${t}"`,
        '    next',
      );
    });
    if (v4Members.length)
      grp.push(
        `    edit "${n}-dst"`,
        `        set member ${v4Members.map((m) => `"${m}"`).join(' ')}`,
        `        set comment "${t}"`,
        '    next',
      );
    if (v6Members.length)
      grp6.push(
        `    edit "${n}-dst6"`,
        `        set member ${v6Members.map((m) => `"${m}"`).join(' ')}`,
        `        set comment "${t}"`,
        '    next',
      );
    svc.push(
      `    edit "${n}"`,
      `        set ${d.req.protocol}-portrange ${d.req.ports.map((p) => portText(p)).join(' ')}`,
      `        set comment "${t}"`,
      '    next',
    );
    const dst4 = d.any ? '"all"' : v4Members.length ? `"${n}-dst"` : null;
    const dst6 = d.any ? '"all"' : v6Members.length ? `"${n}-dst6"` : null;
    pol.push('    edit 0', `        set name "${n}"`, '        set srcintf "internal"', '        set dstintf "wan1"');
    if (dst4) pol.push('        set srcaddr "all"', `        set dstaddr ${dst4}`);
    if (dst6) pol.push('        set srcaddr6 "all"', `        set dstaddr6 ${dst6}`);
    pol.push(
      '        set action accept',
      '        set schedule "always"',
      `        set service "${n}"`,
      `        set comments "${t}"`,
      '    next',
    );
    undoObj.push(`config firewall service custom`, `    delete "${n}"`, 'end');
    if (v4Members.length)
      undoObj.push(
        'config firewall addrgrp',
        `    delete "${n}-dst"`,
        'end',
        'config firewall address',
        ...v4Members.map((m) => `    delete "${m}"`),
        'end',
      );
    if (v6Members.length)
      undoObj.push(
        'config firewall addrgrp6',
        `    delete "${n}-dst6"`,
        'end',
        'config firewall address6',
        ...v6Members.map((m) => `    delete "${m}"`),
        'end',
      );
  }
  const block = (head: string, body: string[]): string[] => (body.length ? [head, ...body, 'end'] : []);
  const lines = [
    ...commentBlock('# ', headerLines(input, 'FortiGate (FortiOS 7 CLI)', `objects and policies carry comment "${t}"`)),
    '# Interfaces internal -> wan1 are assumed; change srcintf/dstintf to yours. New policies go last: move them above any deny.',
    ...commentBlock('# ', remarks),
    ...commentBlock('# ', desc),
    ...block('config firewall address', addr),
    ...block('config firewall address6', addr6),
    ...block('config firewall addrgrp', grp),
    ...block('config firewall addrgrp6', grp6),
    ...block('config firewall service custom', svc),
    ...block('config firewall policy', pol),
  ];
  const undo = [
    '# Pathcheck: first delete the policies named pathcheck-* (show firewall policy | grep -f pathcheck; config firewall policy; delete <id>; end),',
    '# then the objects:',
    ...undoObj,
  ];
  return {
    format: 'config',
    text: joinLines(lines),
    undo: joinLines(undo),
    notes: ['Interfaces internal/wan1 are assumed; adjust them.', ...remarks],
  };
}

export const fortigate = defineTarget({
  id: 'fortigate',
  label: 'FortiGate',
  kind: 'perimeter',
  supportsHostnames: true,
  generate: generateFortigate,
});
