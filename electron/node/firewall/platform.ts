import type { FirewallInput } from '#common/firewall/types';
import type { Runner } from './run';
import type { FirewallDetection } from './types';

/**
 * The per-platform one-click fix, the same shape on every OS so the app's Fix flow and
 * `pathcheck fix` drive Windows and macOS alike:
 *   detect → plan (or a refusal naming what blocks) → apply (elevated, fixed script) → undo.
 * Every plan is data only; the fixed elevated script re-validates it value by value.
 */

export type PlatformAction = 'apply' | 'undo';

export interface PlatformApplyResult {
  ok: boolean;
  action: PlatformAction;
  /** Rules created (apply) or removed (undo), as the script reported them. */
  changed: number;
  /** How the script was elevated. */
  elevation: 'uac' | 'admin-prompt';
  exitCode: number | null;
  /** The script's error (validation message, cancelled prompt, tool error); null on success. */
  error: string | null;
}

/** What `plan` decides: a data-only plan for the fixed script, or why not (naming the rule or product). */
export type PlatformDecision<P> = { plan: P; refusal: null } | { plan: null; refusal: string };

export interface PlatformRunOptions {
  /** The fixed script shipped in <resources>/firewall. */
  scriptPath: string;
  run?: Runner;
  timeoutMs?: number;
}

export interface PlatformFirewall<P, D extends FirewallDetection = FirewallDetection> {
  platform: 'win32' | 'darwin';
  /** Fixed read-only commands; never elevated. */
  detect(run: Runner, timeoutMs: number): Promise<D>;
  /** Pure: the plan for the requirements blocked on this computer, or a refusal. */
  plan(input: FirewallInput, detection: D, failed: FailedTraffic[]): PlatformDecision<P>;
  /** Re-validates `plan`, writes it to a private file, runs the fixed script elevated. */
  apply(plan: P, options: PlatformRunOptions): Promise<PlatformApplyResult>;
  /** Removes only what Pathcheck added (its group / its anchor). */
  undo(options: PlatformRunOptions): Promise<PlatformApplyResult>;
}

/** One blocked flow, for matching block rules: protocol, destination port, destination addresses (may be empty). */
export interface FailedTraffic {
  protocol: 'udp' | 'tcp';
  ports: Array<[number, number]>;
  addresses: string[];
}

/** The blocked flows of a firewall input (what the rules would open). */
export function failedTraffic(input: FirewallInput): FailedTraffic[] {
  return input.requirements.map((r) => ({
    protocol: r.protocol,
    ports: r.ports.map(([a, b]): [number, number] => [a, b]),
    addresses: [...r.ipv4, ...r.ipv6],
  }));
}

/** "UDP 3478, 10000-60000 to 54.172.60.0/23" for the user's own firewall product. */
export function describeTraffic(failed: FailedTraffic[]): string {
  return failed
    .map(
      (t) =>
        `${t.protocol.toUpperCase()} ${t.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ')} to ${t.addresses.length ? t.addresses.join(', ') : 'any address'}`,
    )
    .join('; ');
}

/** Largest plan file either script accepts (bytes); both scripts check it again. */
export const MAX_PLAN_BYTES = 64 * 1024;
export const MAX_RULES = 64;
export const MAX_ADDRESSES = 256;
export const MAX_PORT_RANGES = 64;
