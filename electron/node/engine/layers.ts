import type { CheckResult, RangeResult } from '#common/report/schema';
import type { FirewallDetection } from '../firewall/types';
import { localDropMatches } from '../firewall/classify';

export type LocalFirewallSource = () => Promise<FirewallDetection | null>;

/**
 * A timeout alone cannot tell a local drop from a perimeter drop (a local nft drop of TCP just
 * hangs). When this machine's own firewall has a drop rule matching the failed protocol and port,
 * the block is local; otherwise a silent drop stays the perimeter's. Only asks the firewall when
 * something timed out. Mutates the given results.
 */
export async function refineLayers(
  checks: CheckResult[],
  ranges: RangeResult[],
  source?: LocalFirewallSource,
): Promise<void> {
  if (!source) return;
  if (!checks.some((c) => c.layer === 'perimeter') && !ranges.some((r) => r.layer === 'perimeter')) return;
  const detection = await source();
  if (!detection) return;
  for (const c of checks) {
    if (c.layer === 'perimeter' && localDropMatches(detection, c.transport === 'udp' ? 'udp' : 'tcp', c.port))
      c.layer = 'local';
  }
  for (const r of ranges) {
    if (r.layer === 'perimeter' && r.blocked.some(([a]) => localDropMatches(detection, r.protocol, a)))
      r.layer = 'local';
  }
}
