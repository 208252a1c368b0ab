import { REASON_TEXT, type Reason } from '#common/report/reason';

/**
 * The probes' view of the report's reason vocabulary (electron/common/report/reason.ts): the errno
 * map lives in ../net/errno.ts, the sentences in REASON_TEXT, so TCP, TLS, proxy, STUN and range
 * probes all speak the same words.
 */
export { errnoOf, reasonForErrno } from '../net/errno';

/** One sentence describing why `target` (e.g. "TCP to turn.example.com:443") failed. */
export function describeReason(reason: Reason, target: string, deadlineMs?: number): string {
  return REASON_TEXT[reason].sentence(target, deadlineMs);
}
