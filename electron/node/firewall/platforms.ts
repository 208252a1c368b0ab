import { join } from 'node:path';
import type { FirewallInput } from '#common/firewall/types';
import { macFirewall, type MacDetection, type PfApplyPlan } from './macos/index';
import { failedTraffic, type PlatformAction, type PlatformApplyResult } from './platform';
import type { Runner } from './run';
import type { FirewallDetection } from './types';
import { windowsFirewall, type WindowsApplyPlan, type WindowsDetection } from './windows/index';

/**
 * The one place that picks the Windows or macOS implementation. The app's Fix flow (planFix in
 * fix.ts, main's firewall handlers) and `pathcheck fix` both go through these functions.
 */
export type PlatformPlan = { platform: 'win32'; plan: WindowsApplyPlan } | { platform: 'darwin'; plan: PfApplyPlan };

/** The fixed script of each platform, in <resources>/firewall (packaged) or resources/firewall (source). */
export const PLATFORM_SCRIPTS = { win32: 'apply-windows.ps1', darwin: 'apply-macos.sh' } as const;

const isWindows = (d: FirewallDetection): d is WindowsDetection => 'windows' in d && d.platform === 'win32';
const isMac = (d: FirewallDetection): d is MacDetection => 'macos' in d && d.platform === 'darwin';

/**
 * Windows/macOS decision for planFix: a plan, or a refusal naming what blocks. null when this
 * detection did not come from the platform's own detector (nothing to decide on).
 */
export function planPlatformFix(
  platform: NodeJS.Platform,
  input: FirewallInput,
  detection: FirewallDetection,
): { plan: PlatformPlan | null; refusal: string | null } | null {
  const failed = failedTraffic(input);
  if (platform === 'win32' && isWindows(detection)) {
    const d = windowsFirewall.plan(input, detection, failed);
    return { plan: d.plan ? { platform: 'win32', plan: d.plan } : null, refusal: d.refusal };
  }
  if (platform === 'darwin' && isMac(detection)) {
    const d = macFirewall.plan(input, detection, failed);
    return { plan: d.plan ? { platform: 'darwin', plan: d.plan } : null, refusal: d.refusal };
  }
  return null;
}

/** Runs apply or undo of a platform plan with the fixed script in `firewallDir`. */
export function applyPlatformPlan(
  p: PlatformPlan,
  action: PlatformAction,
  options: { firewallDir: string; run?: Runner; timeoutMs?: number },
): Promise<PlatformApplyResult> {
  const run = {
    scriptPath: join(options.firewallDir, PLATFORM_SCRIPTS[p.platform]),
    ...(options.run ? { run: options.run } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  };
  if (p.platform === 'win32')
    return action === 'apply' ? windowsFirewall.apply(p.plan, run) : windowsFirewall.undo(run);
  return action === 'apply' ? macFirewall.apply(p.plan, run) : macFirewall.undo(run);
}

/** Re-checks a platform plan (value by value) before it is handed to an elevated script. */
export { assertPfPlan } from './macos/plan';
export { assertWindowsPlan } from './windows/plan';
export { detectMacFirewall } from './macos/index';
export { detectWindowsFirewall } from './windows/index';
