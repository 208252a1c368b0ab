import { isCidr, isIP } from '../../net/validate';
import { normalizeHostname } from '../input-check';
import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, portText, reasonLines } from './shared';

/**
 * Squid: allow CONNECT to the TURN and signaling names (and the TCP destinations the report found
 * blocked), and never bump them (`ssl_bump splice`): TLS inspection breaks TURN-TLS for native
 * clients. UDP is never proxied, so UDP requirements only produce a note. The block sits between
 * BEGIN/END markers so undo removes exactly it.
 */
const dom = (h: string): string => (h.startsWith('*.') ? `.${normalizeHostname(h.slice(2))}` : normalizeHostname(h));

/** One http_access line's worth: these destinations on exactly these ports. */
interface PortGroup {
  ports: string[];
  names: Set<string>;
  ips: Set<string>;
}

function generateSquid(input: FirewallInput): TargetOutput {
  const t = input.tag;
  const tcpReqs = input.requirements.filter((r) => r.protocol === 'tcp');
  const udpReqs = input.requirements.filter((r) => r.protocol === 'udp');
  // Ports stay paired with the names that need them: one ACL per distinct port set, so TURN-TLS on
  // 443 does not also open signaling's ports to the TURN host (or any port to every name).
  const groups = new Map<string, PortGroup>();
  const add = (ports: string[], dests: readonly string[]): void => {
    if (ports.length === 0 || dests.length === 0) return;
    const key = ports.join(' ');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, names: new Set(), ips: new Set() }));
    for (const d of dests) {
      if (isIP(d) || isCidr(d)) g.ips.add(d);
      else g.names.add(dom(d));
    }
  };
  for (const h of input.relayHosts) add([...new Set(h.ports)].sort((a, b) => a - b).map(String), [h.host]);
  for (const r of tcpReqs)
    if (!r.anyDestination)
      add(
        r.ports.map((p) => portText(p)),
        [...r.hostnames, ...r.ipv4, ...r.ipv6],
      );
  const udpOnly = input.relayHosts.filter((h) => h.ports.length === 0).map((h) => h.host);
  const notes: string[] = [];
  if (udpReqs.length > 0) {
    notes.push(
      `UDP is never proxied: ${udpReqs.map((r) => r.name).join(', ')} must be opened at the firewall (pick a firewall target).`,
    );
  }
  if (udpOnly.length > 0)
    notes.push(
      `${udpOnly.join(', ')}: reached over UDP only, so nothing is needed in the proxy for ${udpOnly.length === 1 ? 'it' : 'them'}.`,
    );
  if (tcpReqs.some((r) => r.anyDestination))
    notes.push('A TCP requirement names no destination; only the listed names and addresses are allowed here.');
  const lines = [
    `# BEGIN ${t}`,
    ...commentBlock('# ', headerLines(input, 'Squid', `undo deletes the lines from "# BEGIN ${t}" to "# END ${t}"`)),
    '# Paste ABOVE "http_access deny CONNECT !SSL_ports" (and above any other ssl_bump rules), then: squid -k reconfigure',
    '# ssl_bump lines need a squid built with --with-openssl; without it nothing is bumped and they can be left out.',
    ...commentBlock('# ', notes),
    ...tcpReqs.flatMap((r) => commentBlock('# ', reasonLines(r))),
    `acl ${t}_connect method CONNECT`,
  ];
  const allow: string[] = [];
  const splice: string[] = [];
  [...groups.values()].forEach((g, i) => {
    const n = i + 1;
    lines.push(`acl ${t}_ports_${n} port ${g.ports.join(' ')}`);
    if (g.names.size > 0) {
      lines.push(`acl ${t}_relay_${n} dstdomain ${[...g.names].join(' ')}`);
      allow.push(`http_access allow ${t}_connect ${t}_relay_${n} ${t}_ports_${n}`);
      splice.push(`ssl_bump splice ${t}_relay_${n}`);
    }
    if (g.ips.size > 0) {
      lines.push(`acl ${t}_relay_ip_${n} dst ${[...g.ips].join(' ')}`);
      allow.push(`http_access allow ${t}_connect ${t}_relay_ip_${n} ${t}_ports_${n}`);
      splice.push(`ssl_bump splice ${t}_relay_ip_${n}`);
    }
  });
  lines.push(...allow, ...splice, `# END ${t}`);
  const undo = joinLines([
    '#!/bin/sh',
    `# Pathcheck: remove the block between "# BEGIN ${t}" and "# END ${t}" from squid.conf, then reload`,
    'set -eu',
    'CONF="${1:-/etc/squid/squid.conf}"',
    `sed -i '/^# BEGIN ${t}$/,/^# END ${t}$/d' "$CONF"`,
    'squid -k reconfigure',
  ]);
  return { format: 'squid', text: joinLines(lines), undo, notes };
}

export const squid = defineTarget({
  id: 'squid',
  label: 'Squid proxy',
  kind: 'proxy',
  supportsHostnames: true,
  generate: generateSquid,
});
