/**
 * The kinds of check a report can hold, with the words every view uses for them. Adding a kind of
 * check is one line here (the schema's enum, the views' labels and sections all read this table);
 * see docs/architecture.md, "Adding a probe".
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
} as const satisfies Record<string, { label: string; section: CheckSection }>;

export type CheckSection = 'names' | 'stun-turn' | 'webrtc';
export type CheckKindName = keyof typeof CHECK_KINDS;
export const CHECK_KIND_NAMES = Object.keys(CHECK_KINDS) as [CheckKindName, ...CheckKindName[]];

/** "UDP" / "TCP" / "TLS": the one spelling of a transport in every sentence and table. */
export const TRANSPORT_LABEL = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;
