import type { ProbeOptions, ProbeStatus } from '../probes/types';
import type { PortProbe } from './discover';
import type { ReasonTally } from './tcp-probe';

/**
 * One STUN Binding to the reflector on `port` (provided by the STUN client; any ProbeOutcome
 * fits). `pass` means the Binding response came back, so the port is open in both directions.
 */
export type StunPortProbe = (port: number, opts: ProbeOptions) => Promise<{ status: ProbeStatus; reason: string }>;

/** Reasons that are definitive at once; anything else (a timeout) may be plain packet loss. */
const NO_RETRY = new Set(['local-blocked', 'refused', 'aborted', 'bad-response']);

/**
 * A PortProbe over UDP: a STUN Binding with its own deadline, retried ONCE on silence, because a
 * lost datagram is not a blocked port. A local EPERM (`local-blocked`) or an ICMP rejection
 * (`refused`) is final. `reasons` tallies the final reason per blocked port; `retries` counts
 * second attempts (a high number hints at loss rather than filtering).
 */
export function createUdpRangeProbe(
  stunProbe: StunPortProbe,
  opts: { perProbeMs: number; retries?: number },
): { probe: PortProbe; reasons: ReasonTally; retries: { count: number }; answeredWrongly: { count: number } } {
  const reasons: ReasonTally = {};
  const retries = { count: 0 };
  const answeredWrongly = { count: 0 };
  const maxRetries = opts.retries ?? 1;
  const probe: PortProbe = async (port, signal) => {
    let r = await stunProbe(port, { deadlineMs: opts.perProbeMs, signal });
    if (maxRetries > 0 && r.status !== 'pass' && !NO_RETRY.has(r.reason) && !signal.aborted) {
      retries.count++;
      r = await stunProbe(port, { deadlineMs: opts.perProbeMs, signal });
    }
    if (r.status === 'pass') return 'open';
    // The reflector answered, wrongly: the datagram got through both ways (a connected socket only
    // hears the reflector), so the port is not blocked; the wrong answers are counted, not believed.
    if (r.reason === 'bad-response') {
      answeredWrongly.count++;
      return 'open';
    }
    reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    return 'blocked';
  };
  return { probe, reasons, retries, answeredWrongly };
}
