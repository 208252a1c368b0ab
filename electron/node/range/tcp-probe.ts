import { tcpConnect } from '../probes/tcp';
import type { ProxyEndpoint } from '../net/proxy';
import type { ProbeOutcome } from '../probes/types';
import type { PortProbe } from './discover';

/** Runs one probe with a signal of its own (e.g. under a deadline derived from round trips); default: as is. */
export type ProbeGuard = (
  port: number,
  signal: AbortSignal,
  probe: (signal: AbortSignal) => Promise<ProbeOutcome>,
) => Promise<ProbeOutcome>;

/** Per-reason tally of one discovery run (e.g. many `local-blocked` → this machine's firewall). */
export type ReasonTally = Record<string, number>;

/**
 * A PortProbe that TCP-connects to `host:port` (the profile's reflector): a completed handshake is
 * `open`; refused, reset, unreachable, local-blocked and timeout are `blocked` (a reflector answers
 * on every port, so a refusal means something in between rejected it). No retry: TCP already
 * retransmits SYNs within the per-probe deadline. `reasons` counts why ports were blocked.
 */
export function createTcpRangeProbe(
  host: string,
  opts: { perProbeMs: number; proxy?: ProxyEndpoint; guard?: ProbeGuard },
): { probe: PortProbe; reasons: ReasonTally } {
  const reasons: ReasonTally = {};
  const guard: ProbeGuard = opts.guard ?? ((_port, signal, p) => p(signal));
  const probe: PortProbe = async (port, signal) => {
    const r = await guard(port, signal, (s) =>
      tcpConnect(host, port, {
        deadlineMs: opts.perProbeMs,
        signal: s,
        ...(opts.proxy ? { proxy: opts.proxy } : {}),
      }),
    );
    if (r.status === 'pass') return 'open';
    reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    return 'blocked';
  };
  return { probe, reasons };
}
