import type { LocalFirewall } from '#common/report/schema';
import type { FirewallDetection } from './types';
import type { WindowsBlockRule, SecurityCenterProduct } from './windows/parse';

/**
 * The part of a detection a report carries (`firewall.local`): enough for someone with only the
 * report to know where a fix goes — the chains that drop, the engines, the outbound default,
 * whether policy allows local rules and, on Windows, the rules and products that block.
 */
export function reportLocalFirewall(d: FirewallDetection): LocalFirewall | undefined {
  if (d.platform !== 'linux' && d.platform !== 'win32' && d.platform !== 'darwin') return undefined;
  const blockingRules: LocalFirewall['blockingRules'] = [];
  const win = (d as { windows?: { blockRules?: WindowsBlockRule[]; products?: SecurityCenterProduct[] | null } })
    .windows;
  for (const r of win?.blockRules ?? [])
    blockingRules.push({
      name: (r.displayName || r.name).slice(0, 300),
      source: r.source === 'local' ? 'local' : 'policy',
    });
  for (const p of win?.products ?? [])
    if (p.enabled !== false) blockingRules.push({ name: p.name.slice(0, 300), source: 'third-party' });
  return {
    platform: d.platform,
    engines: d.engines.slice(0, 16).map((e) => ({ name: e.name, present: e.present, active: e.active })),
    // Windows lists its block rules as a pseudo-chain for the classifier; only real nft chains go here.
    dropChains:
      d.platform === 'linux'
        ? d.dropChains.slice(0, 64).map((c) => ({ family: c.family, table: c.table, chain: c.chain }))
        : [],
    outboundDefault: d.outboundDefault,
    localRulesAllowed: d.localRulesAllowed !== false,
    blockingRules: blockingRules.slice(0, 256),
  };
}
