import type { CheckKind, CheckResult, Layer } from '../../common/report/schema';

/** The shape every probe returns (electron/node/probes/types.ts, electron/node/stun/types.ts). */
export interface Outcome {
  status: CheckResult['status'];
  rttMs?: number;
  reason: string;
  detail: string;
  evidence: Record<string, unknown>;
}

export interface CheckMeta {
  id: string;
  kind: CheckKind;
  transport?: 'udp' | 'tcp' | 'tls';
  host?: string;
  port?: number;
}

/**
 * First guess at which layer blocked a failed check, from the probe's own evidence (DESIGN.md: a
 * local nft drop fails UDP sends at once with EPERM; a perimeter drop only shows as a timeout).
 * The engine refines `perimeter` guesses with the local firewall's rules afterwards.
 */
export function layerOf(o: Outcome): Layer | undefined {
  if (o.status !== 'fail') return undefined;
  if (o.reason === 'local-blocked') return 'local';
  if (o.reason === 'proxy-auth-required') return undefined; // sign-in, not a block at any layer
  if (o.reason.startsWith('proxy-') || o.evidence.via === 'proxy' || typeof o.evidence.proxy === 'string') return 'proxy';
  if (o.reason === 'timeout' || o.reason === 'unreachable' || o.reason === 'tls-intercepted') return 'perimeter';
  return 'unknown';
}

/** Rounds to 0.1 ms, as the report promises. */
export const round1 = (n: number): number => Math.round(n * 10) / 10;

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
export function skipped(meta: CheckMeta, reason: string, detail: string): CheckResult {
  return { ...meta, status: 'skipped', reason, detail, evidence: {} };
}
