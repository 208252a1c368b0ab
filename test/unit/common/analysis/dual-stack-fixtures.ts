/**
 * A dual-stack report's checks and ranges, as analysis/family.ts reads them: the lab profile's rungs
 * over IPv4 and IPv6 (ids + /v6), their ranges, the names with A and AAAA, and the NAT twin.
 * Shared by the dual-stack analysis tests.
 */
import type { AnalysisInput } from '#common/analysis/verdicts';
import { parseProfile, type Profile } from '#common/profile/schema';
import { v6Id } from '#common/report/family';
import type { CheckResult, NatResult, RangeResult } from '#common/report/schema';

const parsed = parseProfile({
  schemaVersion: 1,
  id: 'lab',
  name: 'Lab',
  signaling: [{ host: 'sig.lab.test', port: 443 }],
  stun: [{ host: 'turn.lab.test', port: 3478 }],
  turn: [
    { host: 'turn.lab.test', port: 3478, transport: 'udp' },
    { host: 'turn.lab.test', port: 3478, transport: 'tcp' },
    { host: 'turn.lab.test', port: 443, transport: 'tls' },
  ],
  credentials: { type: 'static', username: 'u', credential: 'c' },
  group: { mediaServers: [{ host: 'media.lab.test' }], udpPorts: [[10000, 60000]] },
  p2p: { udpPorts: [[10000, 65535]], tcpPorts: [[10000, 65535]] },
  reflector: { host: 'reflect.lab.test' },
});
if (!parsed.ok) throw new Error('fixture profile invalid');
export const profile: Profile = parsed.profile;

export const A = { 'turn.lab.test': ['10.77.2.10', 'fd77:2::10'], 'sig.lab.test': ['10.77.2.20', 'fd77:2::20'] };
export const dns = (host: keyof typeof A): CheckResult => ({
  id: `dns:${host}`,
  kind: 'dns',
  host,
  status: 'pass',
  reason: 'ok',
  detail: '',
  evidence: {
    addresses: [
      { address: A[host][0], family: 4 },
      { address: A[host][1], family: 6 },
    ],
  },
});
export type Net = {
  id: string;
  kind: CheckResult['kind'];
  transport?: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
};
export const RUNGS: Net[] = [
  { id: 'tls:sig.lab.test:443', kind: 'tls', host: 'sig.lab.test', port: 443 },
  { id: 'stun:udp:turn.lab.test:3478', kind: 'stun', transport: 'udp', host: 'turn.lab.test', port: 3478 },
  { id: 'turn:udp:turn.lab.test:3478', kind: 'turn', transport: 'udp', host: 'turn.lab.test', port: 3478 },
  { id: 'turn:tcp:turn.lab.test:3478', kind: 'turn', transport: 'tcp', host: 'turn.lab.test', port: 3478 },
  { id: 'turn:tls:turn.lab.test:443', kind: 'turn', transport: 'tls', host: 'turn.lab.test', port: 443 },
];
/** Each rung over one family; `ok` says which pass (by id), the rest fail with `reason`. */
export function rungs(f: 4 | 6, ok: (id: string) => boolean, reason: CheckResult['reason'] = 'timeout'): CheckResult[] {
  return RUNGS.map((r) => {
    const pass = ok(r.id);
    return {
      ...r,
      id: f === 6 ? v6Id(r.id) : r.id,
      family: f,
      status: pass ? 'pass' : 'fail',
      reason: pass ? 'ok' : reason,
      detail: '',
      evidence: {},
      ...(pass ? {} : { layer: 'perimeter' as const }),
    };
  });
}
export const all = () => true;
export const none = () => false;
export function ranges(f: 4 | 6, open: boolean): RangeResult[] {
  const r = (id: string, protocol: 'udp' | 'tcp', hi: number): RangeResult => ({
    id: f === 6 ? v6Id(id) : id,
    protocol,
    host: 'reflect.lab.test',
    family: f,
    required: [[10000, hi]],
    allowed: open ? [[10000, hi]] : [],
    blocked: open ? [] : [[10000, hi]],
    probes: 40,
    resolution: 1,
    confidence: 'measured',
    notes: [],
  });
  return [r('udp-range:group', 'udp', 60000), r('udp-range:p2p', 'udp', 65535), r('tcp-range:p2p', 'tcp', 65535)];
}
export const nat4: NatResult = {
  mapping: 'endpoint-independent',
  filtering: 'address-and-port-dependent',
  behaveCompliant: true,
  publicAddress: '10.77.2.1',
  method: 'rfc5780',
  notes: [],
};
export const natTwin = (translation: string, publicAddress = 'fd77:1::2', local = 'fd77:1::2'): CheckResult => ({
  id: v6Id('nat:turn.lab.test:3478'),
  kind: 'nat',
  transport: 'udp',
  host: 'turn.lab.test',
  port: 3478,
  family: 6,
  status: 'pass',
  reason: 'ok',
  detail: '',
  evidence: { mapping: 'none', filtering: 'endpoint-independent', ipv6Nat: { translation, publicAddress, local } },
});
export const host = { os: 'Linux', interfaces: [], vpn: false, proxy: null };
export const input = (checks: CheckResult[], rs: RangeResult[]): AnalysisInput => ({
  profile,
  rooms: ['group', 'p2p'],
  checks: [dns('sig.lab.test'), dns('turn.lab.test'), ...checks],
  ranges: rs,
  nat: nat4,
  host,
  complete: true,
});
