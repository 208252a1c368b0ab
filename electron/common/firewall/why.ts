import type { CheckResult, Layer, Report } from '../report/schema';

/**
 * Why Pathcheck thinks a block is on this computer, at the network's edge or at the proxy, in
 * words an admin can check: each sentence names what was seen (the reason and the socket error or
 * timeout of the blocked checks), the conclusion, and the check ids it rests on. Derived only from
 * the report's own evidence, so the same report always gives the same sentences.
 */

const WHERE: Record<Layer, string> = {
  local: 'this computer\u2019s firewall',
  perimeter: 'the network\u2019s edge',
  proxy: 'the proxy',
  unknown: 'somewhere on the way (the evidence does not say where)',
};

const MAX_HOSTS = 3;
const MAX_IDS = 4;

const errnoOf = (c: CheckResult): string | null => {
  const code = c.evidence?.code;
  return typeof code === 'string' && /^E[A-Z0-9]{1,20}$/.test(code) ? code : null;
};

/** What was seen, as a plain phrase (no conclusion). */
function seen(proto: string, reason: string, layer: Layer, codes: string[], to: string): string {
  const code = codes.length ? ` (${codes.join(', ')})` : '';
  const sent = proto === 'UDP' ? `UDP packets${to}` : `TCP connections${to}`;
  switch (reason) {
    case 'local-blocked':
      return `${proto} sends${to} failed at once${code || ' (EPERM)'}, before anything left the machine`;
    case 'timeout':
      return layer === 'local'
        ? `${sent} got no answer, and this computer\u2019s firewall has a drop rule that matches them`
        : `${sent} vanished with no answer, and this computer raised no error`;
    case 'unreachable':
      return `There was no route${to}${code}`;
    case 'refused':
    case 'reset':
      return `${sent} were actively ${reason === 'refused' ? 'refused' : 'reset'}${code}`;
    case 'tls-intercepted':
      return `${sent} were shown a TLS certificate that is not the server\u2019s`;
    case 'proxy-refused':
    case 'proxy-failed':
    case 'proxy-auth-required':
      return `The proxy would not connect${to} (${reason})`;
    default:
      return `Checks${to} failed (${reason}${code ? `, ${codes.join(', ')}` : ''})`;
  }
}

/** One sentence per (layer, reason, protocol) among the blocked requirements' checks. */
export function blockWhy(report: Report): string[] {
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  const groups = new Map<
    string,
    { layer: Layer; reason: string; proto: string; hosts: Set<string>; ids: string[]; codes: Set<string> }
  >();
  for (const b of report.firewall.blocked) {
    for (const id of b.checks) {
      const c = byId.get(id);
      const range = c ? null : report.ranges.find((r) => r.id === id);
      if (!c && !range) continue;
      // The blocked entry's layer is what the fix acts on (the check's own first guess may have been refined).
      const layer = b.layer as Layer;
      const reason = c ? c.reason : layer === 'local' ? 'local-blocked' : 'timeout';
      const proto = c ? (c.transport === 'udp' ? 'UDP' : 'TCP') : b.protocol.toUpperCase();
      const key = `${layer}|${reason}|${proto}`;
      const g = groups.get(key) ?? {
        layer,
        reason,
        proto,
        hosts: new Set<string>(),
        ids: [],
        codes: new Set<string>(),
      };
      groups.set(key, g);
      const host = c?.host ?? range?.host;
      if (host) g.hosts.add(c?.port !== undefined ? `${host.includes(':') ? `[${host}]` : host}:${c.port}` : host);
      if (!g.ids.includes(id)) g.ids.push(id);
      const code = c ? errnoOf(c) : null;
      if (code) g.codes.add(code);
    }
  }
  const chains = report.firewall.local?.dropChains ?? [];
  const out: string[] = [];
  for (const g of groups.values()) {
    const hosts = [...g.hosts];
    const to = hosts.length
      ? ` to ${hosts.slice(0, MAX_HOSTS).join(', ')}${hosts.length > MAX_HOSTS ? ` and ${hosts.length - MAX_HOSTS} more` : ''}`
      : '';
    const ids = `${g.ids.slice(0, MAX_IDS).join(', ')}${g.ids.length > MAX_IDS ? ', \u2026' : ''}`;
    const where =
      g.layer === 'local' && chains.length
        ? `${WHERE.local} (drops in ${chains
            .slice(0, 3)
            .map((c) => `${c.family} ${c.table} ${c.chain}`)
            .join(', ')})`
        : WHERE[g.layer];
    out.push(`${seen(g.proto, g.reason, g.layer, [...g.codes], to)}: ${where}. (Checks: ${ids}.)`);
  }
  return out;
}
