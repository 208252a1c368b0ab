import { fileURLToPath } from 'node:url';
import { assertNftApplyPlan, type NftApplyPlan, type NftRuleLocation } from '#common/firewall/apply-plan';
import { runFile, type Runner } from './run';

/**
 * Runs the fixed elevated script `resources/firewall/apply-linux.sh` on a validated plan. The plan is
 * data only and goes to the script on stdin, which it reads once (no file a same-user process could
 * swap after consent); the script re-validates it and calls nft with argv. Nothing here builds a
 * shell string: execFile with an argument array, the script path itself as the program (never
 * /bin/bash + script), directly when already root, else through `pkexec`, whose prompt shows the
 * polkit action dev.pathcheck.firewall.apply and its own description. Consent is asked before this,
 * by main's own dialog (also when root).
 *
 * Per-platform backends share the `FirewallBackend` shape (`./backend.ts`); this is Linux's apply.
 */

export type ApplyAction = 'apply' | 'undo';

export type RuleChange = NftRuleLocation;

export interface ApplyResult {
  ok: boolean;
  action: ApplyAction;
  added: RuleChange[];
  removed: RuleChange[];
  /** How the script was started. */
  elevation: 'root' | 'pkexec';
  exitCode: number | null;
  /** The script's error text when it failed (validation message, nft error, cancelled prompt). */
  error: string | null;
}

export interface ApplyOptions {
  /** Path of apply-linux.sh (default: resources/firewall/apply-linux.sh in the source tree). */
  scriptPath?: string;
  run?: Runner;
  /** Defaults to process.getuid() === 0. */
  isRoot?: boolean;
  timeoutMs?: number;
}

/** Default location of the fixed script, relative to this module in the source tree. */
export function defaultApplyScriptPath(): string {
  return fileURLToPath(new URL('../../../resources/firewall/apply-linux.sh', import.meta.url));
}

/** Parses the script's `added|removed <handle> <family> <table> <chain>` lines. */
export function parseApplyOutput(stdout: string): { added: RuleChange[]; removed: RuleChange[] } {
  const added: RuleChange[] = [];
  const removed: RuleChange[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(added|removed) (\d{1,10}) (inet|ip|ip6) ([A-Za-z][\w-]{0,62}) ([A-Za-z][\w-]{0,62})$/.exec(
      line.trim(),
    );
    if (!m) continue;
    const family = m[3] as RuleChange['family'];
    const change: RuleChange = { handle: Number(m[2]), family, table: m[4] ?? '', chain: m[5] ?? '' };
    (m[1] === 'added' ? added : removed).push(change);
  }
  return { added, removed };
}

/**
 * Applies or undoes a plan on this Linux machine. For undo, `plan.remove` (the `added` list of the
 * apply) makes the script delete exactly those rules. Throws `FirewallInputError` for an invalid plan.
 */
export async function applyLinuxPlan(
  plan: NftApplyPlan,
  action: ApplyAction,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  if (process.platform !== 'linux' && options.run === undefined) throw new Error('applyLinuxPlan runs on Linux only');
  if (action !== 'apply' && action !== 'undo') throw new Error('action must be apply or undo');
  assertNftApplyPlan(plan);
  const run = options.run ?? runFile;
  const script = options.scriptPath ?? defaultApplyScriptPath();
  const root = options.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  const input = JSON.stringify(plan);
  const r = root
    ? await run(script, [action], { timeoutMs: options.timeoutMs ?? 30_000, input })
    : await run('pkexec', [script, action], { timeoutMs: options.timeoutMs ?? 120_000, input });
  const { added, removed } = parseApplyOutput(r.stdout);
  let error: string | null = null;
  if (!r.ok) {
    if (r.missing)
      error = root
        ? `the apply script is missing: ${script}`
        : 'pkexec is not installed: run the rules as root instead';
    else if (!root && (r.code === 126 || r.code === 127))
      error = 'The administrator prompt was cancelled or refused; nothing was changed.';
    else error = r.stderr.trim().slice(0, 2000) || 'the apply script failed';
  }
  return { ok: r.ok, action, added, removed, elevation: root ? 'root' : 'pkexec', exitCode: r.code, error };
}
