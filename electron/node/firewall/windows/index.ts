import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWindowsFirewallProfiles, summarizeWindowsProfiles } from '../parse-other';
import type { PlatformAction, PlatformApplyResult, PlatformFirewall, PlatformRunOptions } from '../platform';
import { runFile, type Runner } from '../run';
import type { DropRule } from '../types';
import {
  WINDOWS_DETECT_COMMAND,
  parseSecurityCenterFirewalls,
  parseWindowsBlockRules,
  splitWindowsDetect,
} from './parse';
import { assertWindowsPlan, decideWindows, type WindowsApplyPlan, type WindowsDetection } from './plan';

export * from './parse';
export * from './plan';

/**
 * Windows: detection through one fixed read-only PowerShell command (three read-outs), apply/undo through the fixed
 * script <resources>/firewall/apply-windows.ps1. The script is started with an argv array (no
 * shell, no command text built from data); it re-validates the plan, then starts itself again
 * elevated through UAC (`Start-Process -Verb RunAs` with a fixed argument list), and the elevated
 * copy validates once more before `New-NetFirewallRule` / `Remove-NetFirewallRule -Group Pathcheck`.
 */

/** Windows PowerShell 5.1 by absolute path (never looked up on PATH). */
export function windowsPowerShell(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SystemRoot ?? env.windir ?? '';
  const base =
    /^[A-Za-z]:\\[A-Za-z0-9 _.\\-]{1,100}$/.test(root) && !root.includes('..')
      ? root.replace(/\\+$/, '')
      : 'C:\\Windows';
  return `${base}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
}

const READ_ARGS = ['-NoProfile', '-NonInteractive', '-Command'] as const;

export async function detectWindowsFirewall(
  run: Runner,
  timeoutMs: number,
  ps = windowsPowerShell(),
): Promise<WindowsDetection> {
  const notes: string[] = [];
  const r = await run(ps, [...READ_ARGS, WINDOWS_DETECT_COMMAND], { timeoutMs });
  let parts: ReturnType<typeof splitWindowsDetect> | null;
  try {
    parts = r.ok ? splitWindowsDetect(r.stdout) : null;
  } catch {
    parts = null;
  }
  if (!parts) {
    return {
      platform: 'win32',
      engines: [
        {
          name: 'windows-firewall',
          present: !r.missing,
          active: null,
          outboundDefault: 'unknown',
          detail: r.ok ? 'The firewall read-out could not be parsed.' : 'Get-NetFirewallProfile failed.',
        },
      ],
      outboundDefault: 'unknown',
      localRulesAllowed: null,
      dropChains: [],
      notes: ['Could not read the Windows Firewall profiles.'],
      windows: { profiles: [], blockRules: [], products: null },
    };
  }
  const profiles = parseWindowsFirewallProfiles(parts.profiles);
  const s = summarizeWindowsProfiles(profiles);
  notes.push(...s.notes);
  const blockRules = parseWindowsBlockRules(parts.blockRules);
  if (blockRules.length) notes.push(`${blockRules.length} enabled outbound block rule(s) in the effective policy.`);
  const products = parts.products === null ? null : parseSecurityCenterFirewalls(parts.products);
  const thirdParty = (products ?? []).filter((p) => p.enabled !== false);
  if (thirdParty.length)
    notes.push(
      `Third-party firewall registered with Windows Security Center: ${thirdParty.map((p) => p.name).join(', ')}.`,
    );

  // Block rules count as drops for the layer classifier (a matching one makes a timeout local).
  const drops: DropRule[] = blockRules.map((b) => ({ protocol: b.protocol, ports: b.ports, verdict: 'drop' }));
  // DefaultOutboundAction Block drops whatever no allow rule lets out: a policy drop for every port.
  if (s.outboundDefault === 'drop') drops.push({ protocol: 'any', ports: null, verdict: 'policy' });
  return {
    platform: 'win32',
    engines: [
      {
        name: 'windows-firewall',
        present: true,
        active: profiles.some((p) => p.enabled === true),
        outboundDefault: s.outboundDefault,
        detail: profiles.map((p) => `${p.name}: ${p.enabled ? 'on' : 'off'}, outbound ${p.outbound}`).join('; '),
      },
    ],
    outboundDefault: s.outboundDefault,
    localRulesAllowed: s.localRulesAllowed,
    dropChains: drops.length
      ? [{ family: 'inet', table: 'windows-firewall', chain: 'outbound-block-rules', drops }]
      : [],
    notes,
    windows: { profiles, blockRules, products },
  };
}

/** The exact argv main starts (golden-tested); `planFile` only for apply. */
export function windowsScriptArgv(
  scriptPath: string,
  action: PlatformAction,
  planFile: string | null,
  resultFile: string,
): string[] {
  return [
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-File',
    scriptPath,
    '-Action',
    action,
    ...(planFile ? ['-Plan', planFile] : []),
    '-Result',
    resultFile,
  ];
}

/** The script's `added <name>` / `removed <name>` lines. */
export function parseWindowsScriptOutput(stdout: string): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^(added|removed) (pathcheck-[a-z0-9-]{1,40})$/.exec(line.trim());
    if (m) (m[1] === 'added' ? added : removed).push(m[2] ?? '');
  }
  return { added, removed };
}

/** Exit codes of apply-windows.ps1. */
const EXIT_TEXT: Record<number, string> = {
  2: 'the plan was refused by the script',
  3: 'the administrator prompt (UAC) was cancelled; nothing was changed',
  4: 'Windows Firewall refused a change (rules created in this run were removed again)',
};

async function runScript(
  action: PlatformAction,
  plan: WindowsApplyPlan | null,
  options: PlatformRunOptions,
): Promise<PlatformApplyResult> {
  const run = options.run ?? runFile;
  const dir = await mkdtemp(join(tmpdir(), 'pathcheck-fw-'));
  try {
    let planFile: string | null = null;
    if (plan) {
      planFile = join(dir, 'plan.json');
      await writeFile(planFile, JSON.stringify(plan), { mode: 0o600, flag: 'wx' });
    }
    const resultFile = join(dir, 'result.txt');
    const r = await run(windowsPowerShell(), windowsScriptArgv(options.scriptPath, action, planFile, resultFile), {
      timeoutMs: options.timeoutMs ?? 180_000,
    });
    const { added, removed } = parseWindowsScriptOutput(r.stdout);
    const known = r.code !== null ? EXIT_TEXT[r.code] : undefined;
    const error = r.ok
      ? null
      : r.missing
        ? 'Windows PowerShell was not found'
        : [known, r.stderr.trim()].filter(Boolean).join(': ') || 'the apply script failed';
    return {
      ok: r.ok,
      action,
      changed: action === 'apply' ? added.length : removed.length,
      elevation: 'uac',
      exitCode: r.code,
      error,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const windowsFirewall: PlatformFirewall<WindowsApplyPlan, WindowsDetection> = {
  platform: 'win32',
  detect: (run, timeoutMs) => detectWindowsFirewall(run, timeoutMs),
  plan: decideWindows,
  apply: async (plan, options) => {
    assertWindowsPlan(plan);
    return runScript('apply', plan, options);
  },
  undo: (options) => runScript('undo', null, options),
};
