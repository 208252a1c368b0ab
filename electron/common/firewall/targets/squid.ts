import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, portText, reasonLines } from './shared';

/**
 * Squid: allow CONNECT to the TURN and signaling names (and the TCP destinations the report found
 * blocked), and never bump them (`ssl_bump splice`): TLS inspection breaks TURN-TLS for native
 * clients. UDP is never proxied, so UDP requirements only produce a note. The block sits between
 * BEGIN/END markers so undo removes exactly it.
 */
const dom = (h: string): string => (h.startsWith('*.') ? h.slice(1) : h);

function generateSquid(input: FirewallInput): TargetOutput {
  const t = input.tag;
  const tcpReqs = input.requirements.filter((r) => r.protocol === 'tcp');
  const udpReqs = input.requirements.filter((r) => r.protocol === 'udp');
  const names = [...new Set([...input.relayHosts.map((h) => dom(h.host)), ...tcpReqs.flatMap((r) => r.hostnames.map(dom))])];
  const ips = [...new Set(tcpReqs.flatMap((r) => [...r.ipv4, ...r.ipv6]))];
  const portSet = new Set<string>([
    ...input.relayHosts.flatMap((h) => h.ports.map(String)),
    ...tcpReqs.flatMap((r) => r.ports.map((p) => portText(p))),
  ]);
  if (portSet.size === 0) portSet.add('443');
  const notes: string[] = [];
  if (udpReqs.length > 0) {
    notes.push(`UDP is never proxied: ${udpReqs.map((r) => r.name).join(', ')} must be opened at the firewall (pick a firewall target).`);
  }
  if (tcpReqs.some((r) => r.anyDestination)) notes.push('A TCP requirement names no destination; only the listed names and addresses are allowed here.');
  const lines = [
    `# BEGIN ${t}`,
    ...commentBlock('# ', headerLines(input, 'Squid', `undo deletes the lines from "# BEGIN ${t}" to "# END ${t}"`)),
    '# Paste ABOVE "http_access deny CONNECT !SSL_ports" (and above any other ssl_bump rules), then: squid -k reconfigure',
    '# ssl_bump lines need a squid built with --with-openssl; without it nothing is bumped and they can be left out.',
    ...commentBlock('# ', notes),
    ...tcpReqs.flatMap((r) => commentBlock('# ', reasonLines(r))),
    `acl ${t}_connect method CONNECT`,
    `acl ${t}_ports port ${[...portSet].join(' ')}`,
  ];
  const allow: string[] = [];
  if (names.length > 0) {
    lines.push(`acl ${t}_relay dstdomain ${names.join(' ')}`);
    allow.push(`${t}_relay`);
  }
  if (ips.length > 0) {
    lines.push(`acl ${t}_relay_ip dst ${ips.join(' ')}`);
    allow.push(`${t}_relay_ip`);
  }
  for (const a of allow) lines.push(`http_access allow ${t}_connect ${a} ${t}_ports`);
  for (const a of allow) lines.push(`ssl_bump splice ${a}`);
  lines.push(`# END ${t}`);
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
