import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portText, reasonLines } from './shared';

/**
 * Juniper SRX (Junos `set` commands): global address-book entries and sets, one application with a
 * term per port range, and a policy trust → untrust per requirement, described `pathcheck`.
 * Placed before existing policies with `insert … before` is left to the admin (named in notes).
 */
function generateJuniperSrx(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, juniperSrx);
  const ab = 'set security address-book global';
  const lines = [
    ...commentBlock(
      '# ',
      headerLines(
        input,
        'Juniper SRX (configure mode)',
        'undo deletes the policies, applications and address-book entries named pathcheck-*',
      ),
    ),
    '# Zones trust -> untrust are assumed. New policies go last: use "insert security policies ... before policy <deny>" if needed. Then: commit',
    ...commentBlock('# ', remarks),
  ];
  const undo: string[] = [];
  const undoPol: string[] = [];
  for (const d of rules) {
    const n = d.req.name;
    lines.push(...commentBlock('# ', reasonLines(d.req)));
    let dst = 'any';
    if (!d.any) {
      const members: string[] = [];
      [...d.v4, ...d.v6].forEach((c, i) => {
        members.push(`${n}-a${i + 1}`);
        lines.push(`${ab} address ${n}-a${i + 1} ${c.includes('/') ? c : c.includes(':') ? `${c}/128` : `${c}/32`}`);
      });
      d.hosts.forEach((h, i) => {
        members.push(`${n}-h${i + 1}`);
        lines.push(`${ab} address ${n}-h${i + 1} dns-name ${h}`);
      });
      for (const m of members) lines.push(`${ab} address-set ${n}-dst address ${m}`);
      dst = `${n}-dst`;
      undo.push(
        `delete security address-book global address-set ${n}-dst`,
        ...members.map((m) => `delete security address-book global address ${m}`),
      );
    }
    d.req.ports.forEach((p, i) =>
      lines.push(
        `set applications application ${n} term t${i + 1} protocol ${d.req.protocol} destination-port ${portText(p)}`,
      ),
    );
    const pol = `set security policies from-zone trust to-zone untrust policy ${n}`;
    lines.push(
      `${pol} match source-address any destination-address ${dst} application ${n}`,
      `${pol} then permit`,
      `${pol} description ${input.tag}`,
    );
    undoPol.push(`delete security policies from-zone trust to-zone untrust policy ${n}`);
    undo.push(`delete applications application ${n}`);
  }
  return {
    format: 'config',
    text: joinLines(lines),
    undo: joinLines(['# Pathcheck: delete what was added, then commit', ...undoPol, ...undo]),
    notes: ['Zones trust/untrust are assumed; adjust them.', ...remarks],
  };
}

export const juniperSrx = defineTarget({
  id: 'juniper-srx',
  label: 'Juniper SRX',
  kind: 'perimeter',
  supportsHostnames: true,
  generate: generateJuniperSrx,
});
