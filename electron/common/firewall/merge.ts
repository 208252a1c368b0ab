/**
 * Merging firewall requirement drafts (./requirements.ts) into the fewest rules, linear in their
 * total size: the same protocol and destinations join their ports, then the same protocol and ports
 * join their destinations.
 */
import { normalizeRanges, type PortRange } from '../net/ranges';
import type { Layer } from '../report/schema';

/** One requirement before it is checked and merged: a protocol, its ports and destinations. */
export interface Draft {
  protocol: 'udp' | 'tcp';
  ports: PortRange[];
  ipv4: string[];
  ipv6: string[];
  hostnames: string[];
  purposes: string[];
  checks: string[];
  layers: Layer[];
}

export const hasDest = (d: Pick<Draft, 'ipv4' | 'ipv6' | 'hostnames'>): boolean =>
  d.ipv4.length + d.ipv6.length + d.hostnames.length > 0;
/** Rules with address ranges are keyed by them alone (names are then only informative); otherwise by names. */
const destKey = (d: Draft): string =>
  d.ipv4.length + d.ipv6.length > 0 ? `ip|${d.ipv4.join(',')}|${d.ipv6.join(',')}` : `host|${d.hostnames.join(',')}`;
const portKey = (d: Draft): string => d.ports.map(([a, b]) => `${a}-${b}`).join(',');

/** The union of one field over all members, in order of first appearance: one Set, filled once. */
function unionOf<K extends 'ipv4' | 'ipv6' | 'hostnames' | 'purposes' | 'checks' | 'layers'>(
  members: readonly Draft[],
  k: K,
): Draft[K] {
  const out = new Set<Draft[K][number]>();
  for (const m of members) for (const x of m[k]) out.add(x);
  return [...out] as Draft[K];
}

/** Groups drafts by key; each group is combined once from all its members (never re-built per merge). */
function mergeBy(drafts: readonly Draft[], key: (d: Draft) => string, combine: (members: Draft[]) => Draft): Draft[] {
  const groups = new Map<string, Draft[]>();
  for (const d of drafts) {
    const k = `${d.protocol}#${key(d)}`;
    const g = groups.get(k);
    if (g) g.push(d);
    else groups.set(k, [d]);
  }
  const out: Draft[] = [];
  for (const members of groups.values()) out.push(members.length === 1 ? (members[0] as Draft) : combine(members));
  return out;
}

const meta = (members: readonly Draft[]): Pick<Draft, 'purposes' | 'checks' | 'layers'> => ({
  purposes: unionOf(members, 'purposes'),
  checks: unionOf(members, 'checks'),
  layers: unionOf(members, 'layers'),
});

/**
 * Merges drafts in two passes, each linear in the total size of the drafts (a hash map of groups,
 * then one Set per field per group): pass 1 joins the same protocol and destinations (union of
 * ports), pass 2 joins the same protocol and ports (union of destinations; any-destination wins).
 * Groups keep the order in which they first appear.
 */
export function mergeDrafts(drafts: readonly Draft[]): Draft[] {
  const byDest = mergeBy(drafts, destKey, (members) => {
    const first = members[0] as Draft;
    const ports: PortRange[] = [];
    for (const m of members) for (const p of m.ports) ports.push(p);
    return { ...first, ports: normalizeRanges(ports), hostnames: unionOf(members, 'hostnames'), ...meta(members) };
  });
  return mergeBy(byDest, portKey, (members) => {
    const first = members[0] as Draft;
    const any = members.some((m) => !hasDest(m));
    return {
      ...first,
      ipv4: any ? [] : unionOf(members, 'ipv4'),
      ipv6: any ? [] : unionOf(members, 'ipv6'),
      hostnames: any ? [] : unionOf(members, 'hostnames'),
      ...meta(members),
    };
  });
}

export type { Draft as RequirementDraft };
