import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portText, reasonLines } from './shared';

/**
 * macOS pf: rules loaded into the anchor named after the tag (`pfctl -a pathcheck -f -`), so
 * undo flushes the anchor and nothing else. macOS's application firewall is inbound-only; pf is
 * what blocks outbound when anything local does. The anchor must be referenced from pf.conf.
 */
function generateMacosPf(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, macosPf);
  const anchor = input.tag;
  const body: string[] = [];
  for (const d of rules) {
    const base = d.req.name.replace(/-/g, '_');
    const ports = d.req.ports.length === 1 && d.req.ports[0] ? portText(d.req.ports[0], ':') : `{ ${d.req.ports.map((p) => portText(p, ':')).join(', ')} }`;
    if (d.any) {
      body.push(`pass out quick proto ${d.req.protocol} from any to any port ${ports} keep state`);
      continue;
    }
    if (d.v4.length > 0) {
      body.push(`table <${base}_v4> const { ${d.v4.join(', ')} }`);
      body.push(`pass out quick inet proto ${d.req.protocol} from any to <${base}_v4> port ${ports} keep state`);
    }
    if (d.v6.length > 0) {
      body.push(`table <${base}_v6> const { ${d.v6.join(', ')} }`);
      body.push(`pass out quick inet6 proto ${d.req.protocol} from any to <${base}_v6> port ${ports} keep state`);
    }
  }
  const lines = [
    '#!/bin/sh',
    ...commentBlock('# ', headerLines(input, `macOS pf (anchor "${anchor}")`, `undo: pfctl -a ${anchor} -F all`)),
    `# Run with sudo. /etc/pf.conf must contain the line:  anchor "${anchor}"  (then pfctl -f /etc/pf.conf).`,
    ...commentBlock('# ', remarks),
    ...rules.flatMap((d) => commentBlock('# ', reasonLines(d.req))),
    'set -eu',
    `pfctl -a ${anchor} -f - <<'PATHCHECK_PF'`,
    ...body,
    'PATHCHECK_PF',
    `pfctl -sr 2>/dev/null | grep -q 'anchor "${anchor}"' || echo 'Pathcheck: add  anchor "${anchor}"  to /etc/pf.conf, then run pfctl -f /etc/pf.conf' >&2`,
    'pfctl -E',
  ];
  const undo = joinLines(['#!/bin/sh', `# Pathcheck: flush the "${anchor}" anchor (only the rules loaded above)`, 'set -eu', `pfctl -a ${anchor} -F all`]);
  return {
    format: 'shell',
    text: joinLines(lines),
    undo,
    notes: [`pf evaluates the anchor only when /etc/pf.conf references it (anchor "${anchor}").`, ...remarks],
  };
}

export const macosPf = defineTarget({
  id: 'macos-pf',
  label: 'macOS pf (anchor)',
  kind: 'local-macos',
  supportsHostnames: false,
  generate: generateMacosPf,
});
