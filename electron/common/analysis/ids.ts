import { checkId } from '../report/kinds';
import type { Reason } from '../report/reason';
import type { CheckResult } from '../report/schema';

/** Check ids are built where the kinds are listed (report/kinds.ts); re-exported for the many readers here. */
export { checkId } from '../report/kinds';

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

/**
 * The server answered, but wrongly (an address it cannot mean, only answers to other transactions,
 * garbage): the traffic got through, so it is never a block, names no layer and gets no ticket.
 */
export const ANSWERED_WRONGLY = 'bad-response' satisfies Reason;
