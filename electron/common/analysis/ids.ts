import type { Transport } from '../profile/schema';
import type { CheckResult } from '../report/schema';

/**
 * Check ids are part of the report contract (`turn:udp:turn.example.com:3478`): the engine creates
 * them, the analysis and the WebRTC suite look them up, the firewall rules cite them. One place.
 */
export const checkId = {
  dns: (host: string) => `dns:${host}`,
  tls: (host: string, port: number) => `tls:${host}:${port}`,
  tcp: (host: string, port: number) => `tcp:${host}:${port}`,
  stun: (transport: 'udp' | 'tcp', host: string, port: number) => `stun:${transport}:${host}:${port}`,
  turn: (transport: Transport, host: string, port: number) => `turn:${transport}:${host}:${port}`,
  relay: (host: string, port: number) => `relay:udp:${host}:${port}`,
  nat: (host: string, port: number) => `nat:${host}:${port}`,
  webrtcRelay: (transport: Transport, host: string, port: number) => `webrtc:relay:${transport}:${host}:${port}`,
  webrtcGather: (transport: Transport | 'stun', host: string, port: number) => `webrtc:gather:${transport}:${host}:${port}`,
  webrtcDirect: () => 'webrtc:direct',
} as const;

export const rangeId = {
  group: 'udp-range:group',
  p2pUdp: 'udp-range:p2p',
  p2pTcp: 'tcp-range:p2p',
} as const;

export type WebrtcTest = NonNullable<CheckResult['webrtcTest']>;

/**
 * Which in-app WebRTC test made a `webrtc` check. Current reports say so in `webrtcTest`; reports
 * written before that field existed only say it in the id. This and dnsHostOf are the only places
 * that read an id's spelling, and only for such old reports: everything else reads the fields.
 */
export function webrtcTestOf(c: Pick<CheckResult, 'id' | 'kind' | 'webrtcTest'>): WebrtcTest | undefined {
  if (c.kind !== 'webrtc') return undefined;
  if (c.webrtcTest) return c.webrtcTest;
  if (c.id === checkId.webrtcDirect()) return 'direct';
  if (c.id.startsWith('webrtc:relay:')) return 'relay';
  if (c.id.startsWith('webrtc:gather:stun:')) return 'stun-gather';
  if (c.id.startsWith('webrtc:gather:')) return 'relay-gather';
  return undefined;
}

/** The name a DNS check resolved: its `host`, or (an old report without it) the id's tail. */
export function dnsHostOf(c: Pick<CheckResult, 'id' | 'host'>): string {
  return c.host ?? (c.id.startsWith('dns:') ? c.id.slice('dns:'.length) : c.id);
}
