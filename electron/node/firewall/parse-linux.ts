import type { DropChain, DropRule, OutboundDefault } from './types';

/**
 * Parsers for Linux firewall tool output (pure, so they are tested on captured samples):
 * `nft -j list ruleset`, `iptables-save`, `ufw status verbose`, `firewall-cmd --state`.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
const NFT_IDENT = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function portsOf(right: unknown): Array<[number, number]> | null {
  if (typeof right === 'number') return [[right, right]];
  const r = obj(right);
  if (r && Array.isArray(r.range) && typeof r.range[0] === 'number' && typeof r.range[1] === 'number')
    return [[r.range[0], r.range[1]]];
  if (r && Array.isArray(r.set)) {
    const out = r.set.flatMap((x) => portsOf(x) ?? []);
    return out.length ? out : null;
  }
  return null;
}

/** Reads protocol/port matches and the verdict of one nft JSON rule; null when it does not drop. */
function dropOf(expr: unknown[]): DropRule | null {
  let protocol: DropRule['protocol'] = 'any';
  let ports: DropRule['ports'] = null;
  let verdict: DropRule['verdict'] | null = null;
  for (const e of expr) {
    const o = obj(e);
    if (!o) continue;
    if ('drop' in o) verdict = 'drop';
    if ('reject' in o) verdict = 'reject';
    const m = obj(o.match);
    if (!m || m.op === '!=') continue;
    const left = obj(m.left);
    const payload = obj(left?.payload);
    const meta = obj(left?.meta);
    if (payload && (payload.protocol === 'udp' || payload.protocol === 'tcp')) {
      protocol = payload.protocol;
      if (payload.field === 'dport') ports = portsOf(m.right);
    } else if (
      meta &&
      (meta.key === 'l4proto' || meta.key === 'protocol') &&
      (m.right === 'udp' || m.right === 'tcp')
    ) {
      protocol = m.right;
    }
  }
  return verdict ? { protocol, ports, verdict } : null;
}

/** Chains hooked on output with policy drop or with drop/reject rules (including chains they jump to). */
export function parseNftRuleset(text: string): {
  dropChains: DropChain[];
  outboundDefault: OutboundDefault;
  tables: number;
} {
  const doc = obj(JSON.parse(text));
  const items = Array.isArray(doc?.nftables) ? (doc.nftables as unknown[]) : [];
  const chains = new Map<string, DropChain & { hook: boolean; jumps: string[] }>();
  let tables = 0;
  const key = (f: unknown, t: unknown, c: unknown): string => `${String(f)} ${String(t)} ${String(c)}`;
  for (const it of items) {
    const o = obj(it);
    if (obj(o?.table)) tables++;
    const c = obj(o?.chain);
    if (
      c &&
      (c.family === 'inet' || c.family === 'ip' || c.family === 'ip6') &&
      typeof c.table === 'string' &&
      typeof c.name === 'string'
    ) {
      chains.set(key(c.family, c.table, c.name), {
        family: c.family,
        table: c.table,
        chain: c.name,
        hook: c.hook === 'output',
        policyDrop: c.hook === 'output' && c.policy === 'drop',
        drops: [],
        jumps: [],
      });
    }
  }
  for (const it of items) {
    const r = obj(obj(it)?.rule);
    if (!r || !Array.isArray(r.expr)) continue;
    const ch = chains.get(key(r.family, r.table, r.chain));
    if (!ch) continue;
    const d = dropOf(r.expr);
    if (d) ch.drops?.push(d);
    for (const e of r.expr) {
      const target = obj(obj(e)?.jump) ?? obj(obj(e)?.goto);
      if (typeof target?.target === 'string') ch.jumps.push(key(r.family, r.table, target.target));
    }
  }
  const out: DropChain[] = [];
  for (const ch of chains.values()) {
    if (!ch.hook) continue;
    const drops = [...(ch.drops ?? [])];
    for (const j of ch.jumps) drops.push(...(chains.get(j)?.drops ?? []));
    if (ch.policyDrop) drops.push({ protocol: 'any', ports: null, verdict: 'policy' });
    if (drops.length > 0 && NFT_IDENT.test(ch.table) && NFT_IDENT.test(ch.chain)) {
      out.push({ family: ch.family, table: ch.table, chain: ch.chain, policyDrop: ch.policyDrop ?? false, drops });
    }
  }
  const anyPolicyDrop = out.some((c) => c.policyDrop);
  return { dropChains: out, outboundDefault: anyPolicyDrop ? 'drop' : 'allow', tables };
}

/** `iptables-save` / `ip6tables-save`: OUTPUT policy and DROP/REJECT rules in the filter table. */
export function parseIptablesSave(text: string): {
  present: boolean;
  outboundDefault: OutboundDefault;
  drops: DropRule[];
} {
  let table = '';
  let outboundDefault: OutboundDefault = 'allow';
  const drops: DropRule[] = [];
  let present = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      present = true;
    } else if (table === 'filter' && /^:OUTPUT DROP\b/.test(line)) {
      outboundDefault = 'drop';
      drops.push({ protocol: 'any', ports: null, verdict: 'policy' });
    } else if (table === 'filter' && line.startsWith('-A OUTPUT ') && / -j (DROP|REJECT)\b/.test(line)) {
      const proto = / -p (udp|tcp)\b/.exec(line)?.[1] as 'udp' | 'tcp' | undefined;
      const one = / --dport (\d+)(?::(\d+))?/.exec(line);
      const multi = / --dports ([\d,:]+)/.exec(line);
      let ports: Array<[number, number]> | null = null;
      if (one) ports = [[Number(one[1]), Number(one[2] ?? one[1])]];
      else if (multi?.[1])
        ports = multi[1].split(',').map((p) => {
          const [a, b] = p.split(':');
          return [Number(a), Number(b ?? a)] as [number, number];
        });
      drops.push({ protocol: proto ?? 'any', ports, verdict: / -j REJECT\b/.test(line) ? 'reject' : 'drop' });
    }
  }
  return { present, outboundDefault, drops };
}

/** `ufw status verbose`: active or not, and the outgoing default. */
export function parseUfwStatus(text: string): { active: boolean; outboundDefault: OutboundDefault } {
  const active = /^Status:\s*active\b/m.test(text);
  const m = /^Default:.*?\b(allow|deny|reject) \(outgoing\)/m.exec(text);
  const outboundDefault: OutboundDefault = !active ? 'allow' : m ? (m[1] === 'allow' ? 'allow' : 'drop') : 'unknown';
  return { active, outboundDefault };
}

/** `firewall-cmd --state` prints `running` or `not running`. */
export function parseFirewalldState(text: string): boolean {
  return text.trim() === 'running';
}
