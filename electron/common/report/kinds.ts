import type { Transport } from '../profile/schema';
import { qualityId, type QualityPath } from '../quality/schema';

/**
 * The kinds of check a report can hold, the words every view uses for them, and how their ids are
 * spelled. Adding a kind of check is a line in each table here (the schema's enum, the views' labels
 * and sections all read CHECK_KINDS); see docs/architecture.md, "Adding a probe".
 */
export const CHECK_KINDS = {
  dns: { label: 'DNS', section: 'names' },
  tcp: { label: 'TCP', section: 'names' },
  tls: { label: 'TLS', section: 'names' },
  stun: { label: 'STUN', section: 'stun-turn' },
  turn: { label: 'TURN', section: 'stun-turn' },
  relay: { label: 'Relay', section: 'stun-turn' },
  nat: { label: 'NAT', section: 'stun-turn' },
  proxy: { label: 'Proxy', section: 'names' },
  webrtc: { label: 'WebRTC', section: 'webrtc' },
  quality: { label: 'Quality', section: 'stun-turn' },
} as const satisfies Record<string, { label: string; section: CheckSection }>;

export type CheckSection = 'names' | 'stun-turn' | 'webrtc';
export type CheckKindName = keyof typeof CHECK_KINDS;
export const CHECK_KIND_NAMES = Object.keys(CHECK_KINDS) as [CheckKindName, ...CheckKindName[]];

/** "UDP" / "TCP" / "TLS": the one spelling of a transport in every sentence and table. */
export const TRANSPORT_LABEL = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;

/**
 * Check ids are part of the report contract (`turn:udp:turn.example.com:3478`): the plan builds
 * them here, the analysis and the WebRTC suite look them up, the firewall rules cite them. Their
 * spelling never changes; nobody takes them apart (the fields say the same).
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
  webrtcGather: (transport: Transport | 'stun', host: string, port: number) =>
    `webrtc:gather:${transport}:${host}:${port}`,
  webrtcDirect: () => 'webrtc:direct',
  /** Call quality of one path, measured by the engine: `quality:<path>:<host>:<port>` (the report's `quality[]` id too). */
  quality: (path: QualityPath, host: string, port: number) => qualityId(path, host, port),
} as const;
