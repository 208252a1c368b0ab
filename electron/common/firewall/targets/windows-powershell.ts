import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, portList, reasonLines } from './shared';

/**
 * Windows Defender Firewall via PowerShell `New-NetFirewallRule`, all rules in group
 * "Pathcheck" so `Remove-NetFirewallRule -Group Pathcheck` undoes exactly them. No host names:
 * dynamic keywords need build 20348+ and an outside resolver, so the profile's ranges are used.
 */
export const WINDOWS_GROUP = 'Pathcheck';

function generateWindowsPowershell(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, windowsPowershell);
  const lines = [
    ...commentBlock(
      '# ',
      headerLines(
        input,
        'Windows Firewall (PowerShell, elevated)',
        `undo: Remove-NetFirewallRule -Group ${WINDOWS_GROUP}`,
      ),
    ),
    '# Check first: Get-NetFirewallProfile -PolicyStore ActiveStore (DefaultOutboundAction, AllowLocalFirewallRules).',
    '# If Group Policy sets AllowLocalFirewallRules to False, local rules have no effect: ask your admin to add them to the GPO.',
    ...commentBlock('# ', remarks),
    "$ErrorActionPreference = 'Stop'",
    '# Replace, not duplicate: remove earlier Pathcheck rules first.',
    `Remove-NetFirewallRule -Group '${WINDOWS_GROUP}' -ErrorAction SilentlyContinue`,
  ];
  for (const d of rules) {
    lines.push(...commentBlock('# ', reasonLines(d.req)));
    const quoted = (xs: string[]): string => xs.map((x) => `'${x}'`).join(',');
    const remote = d.any ? '' : ` -RemoteAddress ${quoted([...d.v4, ...d.v6])}`;
    lines.push(
      `New-NetFirewallRule -Name '${d.req.name}' -DisplayName 'Pathcheck ${d.req.name}' -Group '${WINDOWS_GROUP}' ` +
        `-Direction Outbound -Action Allow -Protocol ${d.req.protocol.toUpperCase()}${remote} -RemotePort ${quoted(portList(d.req.ports).split(','))} -Profile Any`,
    );
  }
  const undo = joinLines([
    `# Pathcheck: remove every rule in group ${WINDOWS_GROUP}`,
    `Remove-NetFirewallRule -Group '${WINDOWS_GROUP}'`,
  ]);
  return { format: 'powershell', text: joinLines(lines), undo, notes: remarks };
}

export const windowsPowershell = defineTarget({
  id: 'windows-powershell',
  label: 'Windows Firewall (PowerShell)',
  kind: 'local-windows',
  supportsHostnames: false,
  generate: generateWindowsPowershell,
});
