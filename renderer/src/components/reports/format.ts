import type { MediaPath } from '#common/report/schema';
import { pathLabel } from '#common/report/summary';

/** Small pure formatters for the History and Compare views. */

/** Local date and time of an ISO string, or the string itself when it does not parse. */
export function fmtWhen(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Tone of a verdict path for badges: direct is good, a UDP relay is fine, TCP/TLS relays are costly. */
export function pathTone(path: MediaPath | null | undefined): 'pass' | 'warn' | 'fail' | 'none' {
  if (!path) return 'none';
  if (path === 'blocked') return 'fail';
  if (path === 'turn-tcp' || path === 'turn-tls') return 'warn';
  return 'pass';
}

export function pathText(path: MediaPath | null | undefined): string {
  return path ? pathLabel(path) : 'not tested';
}

/** "+12.3 ms" / "−4.0 ms": signed, one decimal, a real minus sign. */
export function fmtDelta(ms: number): string {
  const v = Math.abs(ms).toFixed(1);
  return ms > 0 ? `+${v} ms` : ms < 0 ? `\u2212${v} ms` : '0.0 ms';
}

/** "Group media (UDP)" for `udp-range:group`; other ids as they are. */
export function rangeLabel(id: string, protocol: 'udp' | 'tcp'): string {
  const room = id.endsWith(':group') ? 'Group media' : id.endsWith(':p2p') ? 'Peer-to-peer media' : id;
  return `${room} (${protocol.toUpperCase()})`;
}
