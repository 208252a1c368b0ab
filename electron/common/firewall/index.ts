import { assertValidInput } from './input-check';
import { generateAwsSg } from './targets/aws-sg';
import { generateAzureNsg } from './targets/azure-nsg';
import { generateCheckpoint } from './targets/checkpoint';
import { generateCiscoAsa } from './targets/cisco-asa';
import { generateFirewalld } from './targets/firewalld';
import { generateFortigate } from './targets/fortigate';
import { generateIptables } from './targets/iptables';
import { generateJuniperSrx } from './targets/juniper-srx';
import { generateLittleSnitch } from './targets/little-snitch';
import { generateMacosPf } from './targets/macos-pf';
import { generateNftables } from './targets/nftables';
import { generatePac } from './targets/pac';
import { generatePanos } from './targets/panos';
import { generateSquid } from './targets/squid';
import type { TargetGenerator } from './targets/target';
import { generateUfw } from './targets/ufw';
import { generateWindowsNetsh } from './targets/windows-netsh';
import { generateWindowsPowershell } from './targets/windows-powershell';
import { FIREWALL_TARGET_IDS, FirewallInputError } from './types';
import type { FirewallInput, FirewallTargetId, FirewallTargetInfo, GeneratedRules } from './types';

/**
 * Public entry of rule generation: the target registry and `generateRules`. Pure (no node:*), so
 * the CLI, the app's main process and the renderer's preview all produce the same text.
 */

export * from './types';
export { buildFirewallInput, parseProxyUrl, type BuildFirewallOptions } from './requirements';
export { assertValidInput } from './input-check';
export { iptablesRestoreText } from './targets/iptables';
export { DEFAULT_NFT_CHAIN, nftRuleBodies } from './targets/nftables';
export { assertNftApplyPlan, buildNftApplyPlan, type NftApplyPlan } from './apply-plan';

/** Every target with what the UI needs to group and explain it. */
export const FIREWALL_TARGETS: readonly FirewallTargetInfo[] = [
  { id: 'windows-powershell', label: 'Windows Firewall (PowerShell)', kind: 'local-windows', supportsHostnames: false },
  { id: 'windows-netsh', label: 'Windows Firewall (netsh)', kind: 'local-windows', supportsHostnames: false },
  { id: 'nftables', label: 'Linux nftables', kind: 'local-linux', supportsHostnames: false },
  { id: 'iptables', label: 'Linux iptables', kind: 'local-linux', supportsHostnames: false },
  { id: 'ufw', label: 'Linux ufw', kind: 'local-linux', supportsHostnames: false },
  { id: 'firewalld', label: 'Linux firewalld (policy)', kind: 'local-linux', supportsHostnames: false },
  { id: 'macos-pf', label: 'macOS pf (anchor)', kind: 'local-macos', supportsHostnames: false },
  { id: 'little-snitch', label: 'Little Snitch (.lsrules)', kind: 'local-macos', supportsHostnames: true },
  { id: 'cisco-asa', label: 'Cisco ASA', kind: 'perimeter', supportsHostnames: true },
  { id: 'panos', label: 'Palo Alto PAN-OS', kind: 'perimeter', supportsHostnames: true },
  { id: 'fortigate', label: 'FortiGate', kind: 'perimeter', supportsHostnames: true },
  { id: 'juniper-srx', label: 'Juniper SRX', kind: 'perimeter', supportsHostnames: true },
  { id: 'checkpoint', label: 'Check Point (mgmt_cli)', kind: 'perimeter', supportsHostnames: true },
  { id: 'aws-sg', label: 'AWS security group (egress)', kind: 'cloud', supportsHostnames: false },
  { id: 'azure-nsg', label: 'Azure NSG (outbound)', kind: 'cloud', supportsHostnames: false },
  { id: 'squid', label: 'Squid proxy', kind: 'proxy', supportsHostnames: true },
  { id: 'pac', label: 'PAC file', kind: 'proxy', supportsHostnames: true },
];

const GENERATORS: Record<FirewallTargetId, TargetGenerator> = {
  'windows-powershell': generateWindowsPowershell,
  'windows-netsh': generateWindowsNetsh,
  nftables: generateNftables,
  iptables: generateIptables,
  ufw: generateUfw,
  firewalld: generateFirewalld,
  'macos-pf': generateMacosPf,
  'little-snitch': generateLittleSnitch,
  'cisco-asa': generateCiscoAsa,
  panos: generatePanos,
  fortigate: generateFortigate,
  'juniper-srx': generateJuniperSrx,
  checkpoint: generateCheckpoint,
  'aws-sg': generateAwsSg,
  'azure-nsg': generateAzureNsg,
  squid: generateSquid,
  pac: generatePac,
};

export function isFirewallTarget(value: string): value is FirewallTargetId {
  return (FIREWALL_TARGET_IDS as readonly string[]).includes(value);
}

/**
 * Generates the rules for one target. Re-validates the whole input first (it may come from IPC or
 * be built by hand), so hostile values raise `FirewallInputError` before any text exists.
 */
export function generateRules(target: FirewallTargetId, input: FirewallInput): GeneratedRules {
  if (!isFirewallTarget(target)) throw new FirewallInputError('target', `unknown target; one of ${FIREWALL_TARGET_IDS.join(', ')}`);
  assertValidInput(input);
  const out = GENERATORS[target](input);
  return { target, format: out.format, text: out.text, ...(out.undo !== undefined ? { undo: out.undo } : {}), notes: out.notes, tag: input.tag };
}
