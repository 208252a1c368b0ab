import type { PortRange } from '../../common/net/ranges';
import { intersectRanges } from '../../common/net/ranges';
import type { CheckResult, RangeResult } from '../../common/report/schema';

/** A drop/reject in this machine's own output path, as the local firewall detection found it. */
export interface LocalDrop {
  protocol: 'udp' | 'tcp' | 'any';
  /** Destination ports the rule matches; undefined = every port. */
  ports?: PortRange[];
}

export type LocalDropSource = () => Promise<LocalDrop[]>;

const matches = (drops: LocalDrop[], protocol: 'udp' | 'tcp', ports: PortRange[]): boolean =>
  drops.some((d) => (d.protocol === 'any' || d.protocol === protocol) && (!d.ports || intersectRanges(d.ports, ports).length > 0));

/**
 * A timeout alone cannot tell a local drop from a perimeter drop (a local nft drop of TCP just
 * hangs). When this machine's own firewall has a drop rule matching the failed protocol and port,
 * the block is local; otherwise a silent drop is the perimeter's. Mutates the given results.
 */
export async function refineLayers(checks: CheckResult[], ranges: RangeResult[], source?: LocalDropSource): Promise<void> {
  if (!source) return;
  const needs = checks.some((c) => c.layer === 'perimeter') || ranges.some((r) => r.layer === 'perimeter');
  if (!needs) return;
  const drops = await source();
  if (drops.length === 0) return;
  for (const c of checks) {
    if (c.layer !== 'perimeter' || c.port === undefined) continue;
    const protocol = c.transport === 'udp' ? 'udp' : 'tcp';
    if (matches(drops, protocol, [[c.port, c.port]])) c.layer = 'local';
  }
  for (const r of ranges) {
    if (r.layer === 'perimeter' && matches(drops, r.protocol, r.blocked)) r.layer = 'local';
  }
}
