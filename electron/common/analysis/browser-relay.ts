import type { CheckResult } from '../report/schema';
import { webrtcTestOf } from './ids';

/**
 * What a failed browser relay test says when the engine's allocation on the same transport passed:
 * interference, or a link too slow to finish the test (docs/quality.md).
 */

/**
 * A relayed round trip (a → relay → b and back, as ICE measured it) this long means a slow or
 * saturated link, on which a DTLS handshake can run out of time without anything interfering.
 */
export const SATURATED_PAIR_RTT_MS = 500;

/**
 * The relayed round trip that shows the link was slow or saturated while the browser's relay tests
 * ran: the failed tests' own (ICE connected, DTLS did not; `pairRttMs`) when every one was that
 * slow, else the data's round trip of another relay test of the same run that carried data.
 */
function saturatedRtt(failed: readonly CheckResult[], all: readonly CheckResult[]): number | null {
  const slow = (r: unknown): r is number => typeof r === 'number' && r >= SATURATED_PAIR_RTT_MS;
  const own = failed.map((c) => c.evidence.pairRttMs);
  if (own.length > 0 && own.every(slow)) return Math.min(...own);
  const others = all
    .filter((c) => webrtcTestOf(c) === 'relay' && (c.status === 'pass' || c.status === 'warn'))
    .map((c) => c.rttMs);
  return others.some(slow) ? Math.max(...others.filter(slow)) : null;
}

/** The `engine-webrtc-disagree` warning for a transport the engine allocated on and the browser could not relay through. */
export function noRelayMessage(label: string, failed: readonly CheckResult[], all: readonly CheckResult[]): string {
  const slow = saturatedRtt(failed, all);
  return slow === null
    ? `${label}: the server accepts allocations, but no data flowed through the relay in the browser test — a deep-packet-inspection device may be interfering.`
    : `${label}: the server accepts allocations, but the browser's relay test did not finish while relayed round trips in this run read ${Math.round(slow)} ms — the link was too slow or saturated to finish it in time; this alone does not show interference.`;
}
