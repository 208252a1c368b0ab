import type { OutboundDefault } from './types';

/**
 * Parsers for the Windows and macOS detection commands. Those commands cannot run on the Linux
 * build machines, so the parsers are pure and tested on captured sample outputs.
 */

/**
 * Fixed PowerShell command (no data in it) whose output `parseWindowsFirewallProfiles` reads:
 * one JSON object per profile with the enum values as strings.
 */
export const WINDOWS_PROFILE_COMMAND =
  'Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object { [pscustomobject]@{ ' +
  'Name = [string]$_.Name; Enabled = [string]$_.Enabled; DefaultOutboundAction = [string]$_.DefaultOutboundAction; ' +
  'AllowLocalFirewallRules = [string]$_.AllowLocalFirewallRules } } | ConvertTo-Json -Compress';

export interface WindowsProfileState {
  name: string;
  enabled: boolean | null;
  outbound: OutboundDefault;
  /** null = NotConfigured (local rules apply). */
  allowLocalRules: boolean | null;
}

// Numeric forms, in case enums are serialized as numbers: GpoBoolean False=0 True=1 NotConfigured=2; Action Allow=2 Block=4.
const gpoBool = (v: unknown): boolean | null => {
  const s = String(v);
  if (s === 'True' || s === '1') return true;
  if (s === 'False' || s === '0') return false;
  return null;
};
const action = (v: unknown): OutboundDefault => {
  const s = String(v);
  if (s === 'Block' || s === '4') return 'drop';
  // NotConfigured in the active store means the built-in default, which is Allow for outbound.
  if (s === 'Allow' || s === '2' || s === 'NotConfigured' || s === '0') return 'allow';
  return 'unknown';
};

export function parseWindowsFirewallProfiles(text: string): WindowsProfileState[] {
  const data: unknown = JSON.parse(text.trim() || '[]');
  const list = Array.isArray(data) ? data : [data];
  return list
    .filter((p): p is Record<string, unknown> => p !== null && typeof p === 'object')
    .map((p) => ({
      name: String(p.Name ?? 'unknown'),
      enabled: gpoBool(p.Enabled),
      outbound: action(p.DefaultOutboundAction),
      allowLocalRules: gpoBool(p.AllowLocalFirewallRules),
    }));
}

/** Combines profiles: outbound drops when any enabled profile blocks; local rules forbidden when any enabled profile forbids them. */
export function summarizeWindowsProfiles(profiles: WindowsProfileState[]): {
  outboundDefault: OutboundDefault;
  localRulesAllowed: boolean | null;
  notes: string[];
} {
  const enabled = profiles.filter((p) => p.enabled !== false);
  const notes: string[] = [];
  const blocking = enabled.filter((p) => p.outbound === 'drop');
  if (blocking.length)
    notes.push(`Outbound is blocked by default in the ${blocking.map((p) => p.name).join(', ')} profile(s).`);
  const forbidding = enabled.filter((p) => p.allowLocalRules === false);
  if (forbidding.length)
    notes.push(
      `Group Policy ignores local firewall rules in the ${forbidding.map((p) => p.name).join(', ')} profile(s): local rules cannot be applied.`,
    );
  const outboundDefault: OutboundDefault =
    enabled.length === 0
      ? 'allow'
      : blocking.length
        ? 'drop'
        : enabled.every((p) => p.outbound === 'allow')
          ? 'allow'
          : 'unknown';
  const localRulesAllowed = profiles.length === 0 ? null : forbidding.length ? false : true;
  return { outboundDefault, localRulesAllowed, notes };
}

/** `socketfilterfw --getglobalstate`: "Firewall is enabled. (State = 1)" (inbound-only filter). */
export function parseMacAppFirewall(text: string): boolean | null {
  const m = /State = (\d)/.exec(text);
  if (m) return m[1] !== '0';
  if (/Firewall is enabled/i.test(text)) return true;
  if (/Firewall is disabled/i.test(text)) return false;
  return null;
}

/** `pfctl -s info`: "Status: Enabled for 0 days …" or "Status: Disabled …". */
export function parsePfInfo(text: string): boolean | null {
  const m = /^Status:\s*(Enabled|Disabled)/m.exec(text);
  return m ? m[1] === 'Enabled' : null;
}
