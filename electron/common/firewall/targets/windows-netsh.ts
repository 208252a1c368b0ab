import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portList, reasonLines } from './shared';

/**
 * Windows Firewall via `netsh advfirewall` (cmd, elevated) for machines without the NetSecurity
 * module. netsh has no groups, so rule names carry the tag and undo deletes them by name.
 */
function generateWindowsNetsh(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, windowsNetsh);
  const lines = [
    '@echo off',
    ...commentBlock(
      'REM ',
      headerLines(input, 'Windows Firewall (netsh, elevated cmd)', 'undo deletes the rules named pathcheck-*'),
    ),
    ...commentBlock('REM ', remarks),
  ];
  for (const d of rules) {
    lines.push(...commentBlock('REM ', reasonLines(d.req)));
    const remote = d.any ? '' : ` remoteip=${[...d.v4, ...d.v6].join(',')}`;
    lines.push(
      `netsh advfirewall firewall delete rule name="${d.req.name}" dir=out >nul 2>&1`,
      `netsh advfirewall firewall add rule name="${d.req.name}" dir=out action=allow protocol=${d.req.protocol.toUpperCase()}` +
        `${remote} remoteport=${portList(d.req.ports)} description="${input.tag}"`,
    );
  }
  const undo = joinLines([
    '@echo off',
    'REM Pathcheck: delete the rules added above, by name',
    ...rules.map((d) => `netsh advfirewall firewall delete rule name="${d.req.name}" dir=out`),
  ]);
  return { format: 'cmd', text: joinLines(lines), undo, notes: remarks };
}

export const windowsNetsh = defineTarget({
  id: 'windows-netsh',
  label: 'Windows Firewall (netsh)',
  kind: 'local-windows',
  supportsHostnames: false,
  generate: generateWindowsNetsh,
});
