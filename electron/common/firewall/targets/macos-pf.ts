import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, reasonLines } from './shared';

/**
 * macOS pf: rules loaded into the anchor `com.apple/250.Pathcheck`. The stock /etc/pf.conf evaluates
 * `anchor "com.apple/*"`, so the rules take part without editing pf.conf, and undo flushes that
 * anchor and nothing else. The rules are written exactly as the one-click apply writes them
 * (resources/firewall/apply-macos.sh). macOS's application firewall is inbound-only; pf (or an
 * outbound filter app) is what blocks outbound when anything local does.
 */
export const PF_ANCHOR = 'com.apple/250.Pathcheck';

function generateMacosPf(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, macosPf);
  const anchor = PF_ANCHOR;
  const body: string[] = [];
  for (const d of rules) {
    const ports = `{ ${d.req.ports.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(' ')} }`;
    if (d.any) body.push(`pass out quick proto ${d.req.protocol} from any to any port ${ports} keep state`);
    if (d.v4.length > 0)
      body.push(
        `pass out quick inet proto ${d.req.protocol} from any to { ${d.v4.join(' ')} } port ${ports} keep state`,
      );
    if (d.v6.length > 0)
      body.push(
        `pass out quick inet6 proto ${d.req.protocol} from any to { ${d.v6.join(' ')} } port ${ports} keep state`,
      );
  }
  const lines = [
    '#!/bin/sh',
    ...commentBlock('# ', headerLines(input, `macOS pf (anchor "${anchor}")`, `undo: pfctl -a ${anchor} -F all`)),
    '# Run with sudo. The stock /etc/pf.conf already evaluates anchor "com.apple/*"; pf must be enabled.',
    ...commentBlock('# ', remarks),
    ...rules.flatMap((d) => commentBlock('# ', reasonLines(d.req))),
    'set -eu',
    `pfctl -a ${anchor} -f - <<'PATHCHECK_PF'`,
    ...body,
    'PATHCHECK_PF',
    `pfctl -s info 2>/dev/null | grep -q '^Status: Enabled' || echo 'Pathcheck: pf is disabled, so these rules do nothing (and pf is not what blocks)' >&2`,
  ];
  const undo = joinLines([
    '#!/bin/sh',
    `# Pathcheck: flush the "${anchor}" anchor (only the rules loaded above)`,
    'set -eu',
    `pfctl -a ${anchor} -F all`,
  ]);
  return {
    format: 'shell',
    text: joinLines(lines),
    undo,
    notes: [
      `pf evaluates the anchor through the stock /etc/pf.conf line anchor "com.apple/*"; a block quick rule evaluated before it still wins.`,
      ...remarks,
    ],
  };
}

export const macosPf = defineTarget({
  id: 'macos-pf',
  label: 'macOS pf (anchor)',
  kind: 'local-macos',
  supportsHostnames: false,
  generate: generateMacosPf,
});
