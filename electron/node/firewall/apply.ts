import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNftApplyPlan, type NftApplyPlan } from '../../common/firewall/apply-plan';
import { runFile, type Runner } from './run';

/**
 * Runs the fixed elevated script `resources/firewall/apply-linux.sh` on a validated plan. The plan is
 * data only (JSON in a 0600 file in a fresh 0700 temp dir); the script re-validates it and calls nft
 * with argv. Nothing here builds a shell string: execFile with an argument array, directly when
 * already root, else through `pkexec` (the desktop's own polkit prompt).
 *
 * Other platforms (documented, not implemented here):
 * - Windows: a fixed `apply-windows.ps1` reading the same kind of JSON plan, started elevated via UAC
 *   (`@vscode/sudo-prompt`, or `Start-Process powershell.exe -Verb RunAs -ArgumentList '-NoProfile',
 *   '-File', script, plan`), creating `New-NetFirewallRule -Group Pathcheck` rules; undo
 *   `Remove-NetFirewallRule -Group Pathcheck`. Refuse when AllowLocalFirewallRules is False.
 * - macOS: a fixed script loading the pf anchor `pathcheck` (`pfctl -a pathcheck -f <file>`), run via
 *   `@vscode/sudo-prompt` (the system's administrator prompt); undo `pfctl -a pathcheck -F all`.
 */

export type ApplyAction = 'apply' | 'undo';

export interface RuleChange {
  handle: number;
  family: string;
  table: string;
  chain: string;
}

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
    const m = /^(added|removed) (\d+) (inet|ip|ip6) ([A-Za-z][\w-]*) ([A-Za-z][\w-]*)$/.exec(line.trim());
    if (!m) continue;
    const change = { handle: Number(m[2]), family: m[3] ?? '', table: m[4] ?? '', chain: m[5] ?? '' };
    (m[1] === 'added' ? added : removed).push(change);
  }
  return { added, removed };
}

/** Applies or undoes a plan on this Linux machine. Throws `FirewallInputError` for an invalid plan. */
export async function applyLinuxPlan(plan: NftApplyPlan, action: ApplyAction, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (process.platform !== 'linux') throw new Error('applyLinuxPlan runs on Linux only');
  if (action !== 'apply' && action !== 'undo') throw new Error('action must be apply or undo');
  assertNftApplyPlan(plan);
  const run = options.run ?? runFile;
  const script = options.scriptPath ?? defaultApplyScriptPath();
  const root = options.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  const dir = await mkdtemp(join(tmpdir(), 'pathcheck-fw-'));
  try {
    const file = join(dir, 'plan.json');
    await writeFile(file, JSON.stringify(plan), { mode: 0o600, flag: 'wx' });
    const argv = ['/bin/bash', script, file, action];
    const r = root
      ? await run(argv[0] ?? '/bin/bash', argv.slice(1), { timeoutMs: options.timeoutMs ?? 30_000 })
      : await run('pkexec', argv, { timeoutMs: options.timeoutMs ?? 120_000 });
    const { added, removed } = parseApplyOutput(r.stdout);
    const error = r.ok ? null : r.missing ? 'pkexec is not installed: run the rules as root instead' : r.stderr.trim() || 'the apply script failed';
    return { ok: r.ok, action, added, removed, elevation: root ? 'root' : 'pkexec', exitCode: r.code, error };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
