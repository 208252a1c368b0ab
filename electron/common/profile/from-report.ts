import type { Report } from '../report/schema';
import { parseProfile, type Profile } from './schema';

/**
 * The profile a report's own checks describe: its STUN servers, TURN servers (per transport) and
 * signaling endpoints, exactly as the report names them, and the media ranges it measured. A report
 * whose profile is not built in (a self-hosted stack, a file on another machine) carries no profile,
 * but this is enough to re-run its failed STUN, TURN and signaling checks under the same ids after a
 * fix. Not derivable: credentials (a TURN server's 401 challenge still proves it is reachable) and
 * the reflector (so measured ranges are not re-run). Every value goes through the profile schema;
 * the error names the report field that did not pass.
 */
export type ProfileFromReport = { ok: true; profile: Profile; notRechecked: string[] } | { ok: false; error: string };

export function profileFromReport(report: Report): ProfileFromReport {
  const stun: Array<{ host: string; port: number }> = [];
  const turn: Array<{ host: string; port: number; transport: 'udp' | 'tcp' | 'tls' }> = [];
  const signaling: Array<{ host: string; port: number }> = [];
  const where = new Map<string, string>();
  const seen = new Set<string>();
  for (const [i, c] of report.checks.entries()) {
    if (c.host === undefined || c.port === undefined) continue;
    if (c.host.includes('${')) return { ok: false, error: `checks[${i}].host: not a concrete host name or address` };
    const key = `${c.kind}|${c.transport ?? ''}|${c.host}|${c.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (c.kind === 'stun') {
      where.set(`stun[${stun.length}]`, `checks[${i}]`);
      stun.push({ host: c.host, port: c.port });
    } else if (c.kind === 'turn' && c.transport) {
      where.set(`turn[${turn.length}]`, `checks[${i}]`);
      turn.push({ host: c.host, port: c.port, transport: c.transport });
    } else if (c.kind === 'tls') {
      where.set(`signaling[${signaling.length}]`, `checks[${i}]`);
      signaling.push({ host: c.host, port: c.port });
    }
  }
  const range = (id: string) => report.ranges.find((r) => r.id === id)?.required;
  const group = range('udp-range:group');
  const p2pUdp = range('udp-range:p2p');
  const p2pTcp = range('tcp-range:p2p');
  // A profile needs a media section; without measured ranges the UDP ports of its STUN/TURN checks stand in.
  const udpPorts = [
    ...new Set([...stun.map((x) => x.port), ...turn.filter((t) => t.transport === 'udp').map((t) => t.port)]),
  ]
    .sort((a, b) => a - b)
    .map((p): [number, number] => [p, p]);
  const media = group?.length || p2pUdp?.length ? null : { udpPorts: udpPorts.length ? udpPorts : [[3478, 3478]] };
  const parsed = parseProfile({
    schemaVersion: 1,
    id: report.profile.id,
    name: report.profile.name,
    stun,
    turn,
    signaling,
    ...(group?.length ? { group: { udpPorts: group } } : media ? { group: media } : {}),
    ...(p2pUdp?.length ? { p2p: { udpPorts: p2pUdp, ...(p2pTcp?.length ? { tcpPorts: p2pTcp } : {}) } } : {}),
  });
  if (!parsed.ok) {
    const e = parsed.errors[0];
    const path = e ? e.path : '';
    const head = /^(stun|turn|signaling)\[\d+\]/.exec(path)?.[0];
    const field =
      head && where.has(head)
        ? `${where.get(head)}${path.slice(head.length)}`
        : path.startsWith('id') || path.startsWith('name')
          ? `profile.${path}`
          : path || 'report';
    return { ok: false, error: `${field}: ${e?.message ?? 'not a valid profile'}` };
  }
  const notRechecked = report.checks
    .filter((c) => (c.status === 'fail' || c.status === 'skipped') && (c.kind === 'relay' || c.id.includes('-range:')))
    .map((c) => c.id);
  return { ok: true, profile: parsed.profile, notRechecked };
}
