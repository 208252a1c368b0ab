import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMacAppFirewall, parsePfInfo } from '../parse-other';
import type { PlatformAction, PlatformApplyResult, PlatformFirewall, PlatformRunOptions } from '../platform';
import { runFile, type Runner } from '../run';
import type { EngineState } from '../types';
import { outboundFilters, parsePfRules, parseSystemExtensions } from './parse';
import { PF_ANCHOR, assertPfPlan, decideMac, pfPlanText, type MacDetection, type PfApplyPlan } from './plan';

export * from './parse';
export * from './plan';

/**
 * macOS: read-only detection (socketfilterfw, pfctl, systemextensionsctl; pfctl answers only as root,
 * so unelevated it usually says nothing and the elevated script checks pf itself), and apply/undo
 * through the fixed script <resources>/firewall/apply-macos.sh, run by the system administrator
 * prompt: osascript with a FIXED AppleScript that passes its argv through `quoted form of`, so no
 * data ever becomes script or shell text. The script re-validates the plan and loads only the
 * anchor com.apple/250.Pathcheck.
 */

/** The AppleScript, fixed text: item 1 = script path, 2 = action, 3 = plan file. PATH is fixed too. */
export const MAC_ADMIN_APPLESCRIPT = [
  'on run argv',
  'do shell script "PATH=/usr/bin:/bin:/usr/sbin:/sbin /bin/sh " & quoted form of item 1 of argv & " " & quoted form of item 2 of argv & " " & quoted form of item 3 of argv with prompt "Pathcheck wants to change the pf firewall rules in its own anchor." with administrator privileges',
  'end run',
] as const;

/** The exact argv main starts (golden-tested). */
export function macScriptArgv(scriptPath: string, action: PlatformAction, planFile: string): string[] {
  return [...MAC_ADMIN_APPLESCRIPT.flatMap((line) => ['-e', line]), scriptPath, action, planFile];
}

export async function detectMacFirewall(run: Runner, timeoutMs: number): Promise<MacDetection> {
  const engines: EngineState[] = [];
  const notes = [
    "macOS's application firewall is inbound-only; outbound blocks come from pf or from outbound filter apps (network extensions such as Little Snitch or LuLu).",
  ];
  const alf = await run('/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate'], { timeoutMs });
  if (!alf.missing) {
    const on = parseMacAppFirewall(alf.stdout);
    engines.push({
      name: 'macos-alf',
      present: true,
      active: on,
      outboundDefault: 'allow',
      detail: `Application firewall ${on ? 'on' : on === false ? 'off' : 'unknown'} (it filters inbound only).`,
    });
  }
  const info = await run('/sbin/pfctl', ['-s', 'info'], { timeoutMs });
  const pfEnabled = info.missing ? false : parsePfInfo(`${info.stdout}\n${info.stderr}`);
  const rules = info.missing ? null : await run('/sbin/pfctl', ['-s', 'rules'], { timeoutMs });
  const ruleset = rules && rules.ok ? parsePfRules(rules.stdout) : null;
  if (!info.missing) {
    const blocks = ruleset?.outboundBlocks.length ?? 0;
    engines.push({
      name: 'pf',
      present: true,
      active: pfEnabled,
      outboundDefault:
        pfEnabled === false
          ? 'allow'
          : blocks && ruleset?.outboundBlocks.some((b) => b.ports === null && b.protocol === 'any')
            ? 'drop'
            : 'unknown',
      detail:
        pfEnabled === null
          ? 'pf state unknown (pfctl needs administrator rights; the apply step checks it).'
          : `pf ${pfEnabled ? 'enabled' : 'disabled'}${ruleset ? `, ${blocks} outbound block rule(s)` : ''}.`,
    });
  }
  const ext = await run('/usr/bin/systemextensionsctl', ['list'], { timeoutMs });
  const filters = ext.ok ? outboundFilters(parseSystemExtensions(ext.stdout)) : null;
  if (filters?.length)
    notes.push(`Outbound filter running: ${filters.map((f) => `${f.name} (${f.bundleId})`).join(', ')}.`);
  const drops = (ruleset?.outboundBlocks ?? []).map((b) => ({
    protocol: b.protocol,
    ports: b.ports,
    verdict: 'drop' as const,
  }));
  const outboundDefault = engines.some((e) => e.outboundDefault === 'drop')
    ? 'drop'
    : engines.some((e) => e.outboundDefault === 'unknown')
      ? 'unknown'
      : 'allow';
  return {
    platform: 'darwin',
    engines,
    outboundDefault,
    localRulesAllowed: true,
    dropChains: drops.length ? [{ family: 'inet', table: 'pf', chain: 'main-ruleset', drops }] : [],
    notes,
    macos: { pfEnabled, ruleset, filters },
  };
}

/** The script's `loaded <n>` / `flushed <n>` lines. */
export function parseMacScriptOutput(stdout: string): { loaded: number | null; flushed: number | null } {
  const loaded = /^loaded (\d{1,3})$/m.exec(stdout);
  const flushed = /^flushed (\d{1,3})$/m.exec(stdout);
  return { loaded: loaded ? Number(loaded[1]) : null, flushed: flushed ? Number(flushed[1]) : null };
}

/** Exit codes of apply-macos.sh. */
const EXIT_TEXT: Record<number, string> = {
  2: 'the plan was refused by the script',
  3: 'pf cannot take the rules here',
  4: 'pfctl refused the rules; the anchor was left empty',
};

async function runScript(
  action: PlatformAction,
  plan: PfApplyPlan | null,
  options: PlatformRunOptions,
): Promise<PlatformApplyResult> {
  const run = options.run ?? runFile;
  const dir = await mkdtemp(join(tmpdir(), 'pathcheck-fw-'));
  try {
    const planFile = join(dir, 'plan.txt');
    // undo reads no plan; an empty-named placeholder keeps the argv shape fixed.
    await writeFile(planFile, plan ? pfPlanText(plan) : '', { mode: 0o600, flag: 'wx' });
    const r = await run('/usr/bin/osascript', macScriptArgv(options.scriptPath, action, planFile), {
      timeoutMs: options.timeoutMs ?? 180_000,
    });
    const out = parseMacScriptOutput(r.stdout);
    const cancelled = /\(-128\)/.test(r.stderr);
    const known = r.code !== null ? EXIT_TEXT[r.code] : undefined;
    const error = r.ok
      ? null
      : cancelled
        ? 'the administrator prompt was cancelled; nothing was changed'
        : [known, r.stderr.trim()].filter(Boolean).join(': ') || 'the apply script failed';
    const changed = (action === 'apply' ? out.loaded : out.flushed) ?? 0;
    return { ok: r.ok, action, changed, elevation: 'admin-prompt', exitCode: r.code, error };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const macFirewall: PlatformFirewall<PfApplyPlan, MacDetection> = {
  platform: 'darwin',
  detect: detectMacFirewall,
  plan: decideMac,
  apply: async (plan, options) => {
    assertPfPlan(plan);
    return runScript('apply', plan, options);
  },
  undo: (options) => runScript('undo', null, options),
};

export { PF_ANCHOR };
