import { parseFirewalldState, parseIptablesSave, parseNftRuleset, parseUfwStatus } from './parse-linux';
import { detectMacFirewall } from './macos/index';
import { runFile, type Runner } from './run';
import type { DropChain, EngineState, FirewallDetection, OutboundDefault } from './types';
import { detectWindowsFirewall } from './windows/index';

export { classifyLayer, type LayerEvidence } from './classify';
export type * from './types';

/**
 * Local-firewall detection. Answers "is this machine's own firewall what blocked the call, and
 * where would a fix go" — every probe is a fixed command via execFile with a timeout; a missing
 * tool means that engine is not present. Windows and macOS paths run only on those systems.
 */

export interface DetectOptions {
  platform?: NodeJS.Platform;
  /** Injected in tests; defaults to execFile. */
  run?: Runner;
  timeoutMs?: number;
}

function combine(defaults: OutboundDefault[]): OutboundDefault {
  if (defaults.includes('drop')) return 'drop';
  if (defaults.includes('unknown')) return 'unknown';
  return 'allow';
}

async function detectLinux(run: Runner, t: number): Promise<FirewallDetection> {
  const engines: EngineState[] = [];
  const notes: string[] = [];
  let dropChains: DropChain[] = [];

  const nft = await run('nft', ['-j', 'list', 'ruleset'], { timeoutMs: t });
  if (!nft.missing) {
    if (nft.ok) {
      try {
        const p = parseNftRuleset(nft.stdout);
        dropChains = p.dropChains;
        engines.push({
          name: 'nftables',
          present: true,
          active: p.tables > 0,
          outboundDefault: p.outboundDefault,
          detail: p.dropChains.length
            ? `Outbound drops in ${p.dropChains.map((c) => `${c.family} ${c.table} ${c.chain}`).join(', ')}.`
            : `${p.tables} table(s), no outbound drop.`,
        });
      } catch {
        engines.push({
          name: 'nftables',
          present: true,
          active: null,
          outboundDefault: 'unknown',
          detail: 'nft output could not be parsed.',
        });
      }
    } else {
      engines.push({
        name: 'nftables',
        present: true,
        active: null,
        outboundDefault: 'unknown',
        detail: 'nft could not list the ruleset (needs root).',
      });
      notes.push('Run as root (or with sudo) to read the nftables ruleset.');
    }
  }

  for (const [cmd, label] of [
    ['iptables-save', 'IPv4'],
    ['ip6tables-save', 'IPv6'],
  ] as const) {
    const r = await run(cmd, [], { timeoutMs: t });
    if (r.missing) continue;
    const p = r.ok ? parseIptablesSave(r.stdout) : null;
    const prev = engines.find((e) => e.name === 'iptables');
    const state: EngineState = {
      name: 'iptables',
      present: true,
      active: p ? p.present : null,
      outboundDefault: p ? p.outboundDefault : 'unknown',
      detail: p
        ? `${label}: ${p.drops.length} OUTPUT drop/reject rule(s), policy ${p.outboundDefault === 'drop' ? 'DROP' : 'ACCEPT'}.`
        : `${label}: ${cmd} failed (needs root).`,
    };
    if (prev) {
      prev.detail += ` ${state.detail}`;
      prev.outboundDefault = combine([prev.outboundDefault, state.outboundDefault]);
      prev.active = prev.active === true || state.active === true ? true : (prev.active ?? state.active);
    } else engines.push(state);
  }

  // Debian's iptables package ships both iptables-legacy and iptables-nft (`iptables` is one of them):
  // which one holds an OUTPUT drop decides the command that opens it (nft cannot see legacy tables).
  for (const v of ['legacy', 'nft'] as const) {
    const found = await iptablesVariant(run, t, v);
    if (found) engines.push(found);
  }

  const ufw = await run('ufw', ['status', 'verbose'], { timeoutMs: t });
  if (!ufw.missing) {
    const p = ufw.ok ? parseUfwStatus(ufw.stdout) : null;
    engines.push({
      name: 'ufw',
      present: true,
      active: p?.active ?? null,
      outboundDefault: p?.outboundDefault ?? 'unknown',
      detail: p ? `ufw ${p.active ? 'active' : 'inactive'}.` : 'ufw status failed (needs root).',
    });
  }

  const fwd = await run('firewall-cmd', ['--state'], { timeoutMs: t });
  if (!fwd.missing) {
    const running = parseFirewalldState(fwd.stdout);
    engines.push({
      name: 'firewalld',
      present: true,
      active: running,
      outboundDefault: running ? 'unknown' : 'allow',
      detail: running
        ? 'firewalld running (outbound filtering only through policy objects).'
        : 'firewalld not running.',
    });
  }

  if (engines.length === 0) notes.push('No Linux firewall tool found (nft, iptables, ufw, firewall-cmd).');
  const outboundDefault = engines.length
    ? combine(engines.filter((e) => e.active !== false).map((e) => e.outboundDefault))
    : 'allow';
  return { platform: 'linux', engines, outboundDefault, localRulesAllowed: true, dropChains, notes };
}

/**
 * One iptables variant (`iptables-legacy` / `iptables-nft`, both families): present when its save
 * tool exists; active when its OUTPUT chain drops (a DROP/REJECT rule or policy DROP), null when it
 * could not be read (not root).
 */
async function iptablesVariant(run: Runner, t: number, v: 'legacy' | 'nft'): Promise<EngineState | null> {
  let present = false;
  let unreadable = false;
  const drops: string[] = [];
  const defaults: OutboundDefault[] = [];
  for (const [cmd, label] of [
    [`iptables-${v}-save`, 'IPv4'],
    [`ip6tables-${v}-save`, 'IPv6'],
  ] as const) {
    const r = await run(cmd, [], { timeoutMs: t });
    if (r.missing) continue;
    present = true;
    if (!r.ok) {
      unreadable = true;
      continue;
    }
    const p = parseIptablesSave(r.stdout);
    defaults.push(p.outboundDefault);
    if (p.drops.length > 0) drops.push(`${label}: ${p.drops.length} OUTPUT drop/reject rule(s) or policy DROP`);
  }
  if (!present) return null;
  return {
    name: `iptables-${v}`,
    present: true,
    active: drops.length > 0 ? true : unreadable ? null : false,
    outboundDefault: defaults.length ? combine(defaults) : 'unknown',
    detail: drops.length
      ? `iptables-${v}: ${drops.join('; ')}.`
      : unreadable
        ? `iptables-${v}: could not be read (needs root).`
        : `iptables-${v}: OUTPUT drops nothing.`,
  };
}

/** Detects the local firewall of this machine (or of `platform` with an injected runner in tests). */
export async function detectLocalFirewall(options: DetectOptions = {}): Promise<FirewallDetection> {
  const platform = options.platform ?? process.platform;
  const run = options.run ?? runFile;
  const t = options.timeoutMs ?? 4000;
  if (platform === 'linux') return detectLinux(run, t);
  // Windows and macOS: their own detectors (firewall/windows, firewall/macos) add what their fix decides on.
  if (platform === 'win32') return detectWindowsFirewall(run, t);
  if (platform === 'darwin') return detectMacFirewall(run, t);
  return {
    platform,
    engines: [],
    outboundDefault: 'unknown',
    localRulesAllowed: null,
    dropChains: [],
    notes: [`Local firewall detection is not implemented for ${platform}.`],
  };
}
