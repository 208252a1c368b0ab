import type { Transport } from '../profile/schema';

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

/** Failure reasons that mean "the network did not let this through" (as opposed to auth or config). */
export const BLOCK_REASONS = new Set(['timeout', 'refused', 'reset', 'unreachable', 'local-blocked', 'proxy-refused', 'proxy-failed']);

/**
 * The server answered, but wrongly (an address it cannot mean, only answers to other transactions,
 * garbage): the traffic got through, so it is never a block, names no layer and gets no ticket.
 */
export const ANSWERED_WRONGLY = 'bad-response';
