import { PERIMETER_REASONS, PROXY_REASONS, type Reason } from '#common/report/reason';
import type { CheckKind, CheckResult, Layer } from '#common/report/schema';
import type { ProbeOutcome } from '../probes/types';
import { round1 } from '../probes/deadline';

/** What a probe returns (the one definition lives with the probes). */
export type Outcome = ProbeOutcome;

export interface CheckMeta {
  id: string;
  kind: CheckKind;
  transport?: 'udp' | 'tcp' | 'tls';
  host?: string;
  port?: number;
  family?: 4 | 6;
}

/**
 * First guess at which layer blocked a failed check, from the probe's own evidence: a local
 * nftables/iptables drop fails UDP sends at once with EPERM (`local-blocked`); a drop further away
 * only shows as a timeout (docs/architecture.md, "Layers of a block").
 * The engine refines `perimeter` guesses with the local firewall's rules afterwards.
 */
export function layerOf(o: Outcome): Layer | undefined {
  if (o.status !== 'fail') return undefined;
  // The server answered (wrongly): the traffic got through, so no layer blocked anything.
  if (o.reason === 'bad-response') return undefined;
  if (o.reason === 'local-blocked') return 'local';
  if (o.reason === 'proxy-auth-required') return undefined; // sign-in, not a block at any layer
  if (PROXY_REASONS.has(o.reason) || o.evidence.via === 'proxy' || typeof o.evidence.proxy === 'string') return 'proxy';
  if (PERIMETER_REASONS.has(o.reason)) return 'perimeter';
  return 'unknown';
}

export function toCheck(meta: CheckMeta, o: Outcome, durationMs: number): CheckResult {
  const layer = layerOf(o);
  return {
    ...meta,
    status: o.status,
    ...(o.rttMs !== undefined ? { rttMs: round1(o.rttMs) } : {}),
    reason: o.reason,
    detail: o.detail,
    evidence: o.evidence,
    ...(layer ? { layer } : {}),
    durationMs: round1(durationMs),
  };
}

/** A check that never ran: its dependency failed, the deadline passed, or the run was cancelled. */
export function skipped(meta: CheckMeta, reason: Reason, detail: string): CheckResult {
  return { ...meta, status: 'skipped', reason, detail, evidence: {} };
}
