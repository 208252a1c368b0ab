import { isIP } from '../../net/validate';
import { normalizeHostname } from '../input-check';
import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines } from './shared';

/**
 * A PAC file that sends TURN hosts DIRECT (TURN-TCP/TLS through a proxy adds latency, and an
 * inspecting proxy breaks TURN-TLS) and everything else to the proxy the report found. UDP is
 * never proxied, so it needs no PAC entry. Undo is restoring the previous PAC file.
 */
function generatePac(input: FirewallInput): TargetOutput {
  const turn = input.relayHosts.filter((h) => h.role === 'turn').map((h) => h.host);
  const tcpNames = input.requirements.filter((r) => r.protocol === 'tcp').flatMap((r) => r.hostnames);
  // PAC compares `host` exactly, and browsers pass it lower-case without a trailing dot: spell names so.
  const hosts = [...new Set([...turn, ...tcpNames].map((h) => (isIP(h) ? h : normalizeHostname(h))))];
  const exact = hosts.filter((h) => !h.startsWith('*.'));
  const domains = hosts.filter((h) => h.startsWith('*.')).map((h) => h.slice(1));
  const conds = [...exact.map((h) => `host == "${h}"`), ...domains.map((d) => `dnsDomainIs(host, "${d}")`)];
  const fallback = input.proxy
    ? `PROXY ${input.proxy.host.includes(':') ? `[${input.proxy.host}]` : input.proxy.host}:${input.proxy.port}`
    : 'DIRECT';
  const notes: string[] = [];
  if (!input.proxy)
    notes.push(
      'No proxy was found in the report: other traffic is left DIRECT; put your proxy in the last return line.',
    );
  if (conds.length === 0) notes.push('The profile names no TURN host; nothing is sent DIRECT.');
  const lines = [
    ...commentBlock('// ', headerLines(input, 'a proxy auto-config (PAC) file', 'undo: restore the previous PAC file')),
    ...commentBlock('// ', notes),
    'function FindProxyForURL(url, host) {',
    '  // TURN hosts: DIRECT (never through the proxy, never TLS-inspected)',
  ];
  for (const c of conds) lines.push(`  if (${c}) return "DIRECT";`);
  lines.push(`  return "${fallback}";`, '}');
  return { format: 'pac', text: joinLines(lines), notes };
}

export const pac = defineTarget({
  id: 'pac',
  label: 'PAC file',
  kind: 'proxy',
  supportsHostnames: true,
  generate: generatePac,
});
