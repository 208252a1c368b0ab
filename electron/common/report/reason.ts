import { z } from 'zod';

/**
 * Every machine-readable reason a check result can carry: the one vocabulary of the probes, the
 * engine, the browser's WebRTC suite, the layer classification and the UI. A new reason is added
 * here (with its label and sentence below) and nowhere else; the report schema accepts exactly
 * this list. See docs/architecture.md, "Reasons".
 */
export const REASONS = [
  // Worked (status pass or warn).
  'ok',
  'allocated',
  'auth-required',
  'poor-quality',
  'mdns-only',
  'no-srflx',
  // The network did not let it through.
  'timeout',
  'refused',
  'reset',
  'unreachable',
  'local-blocked',
  // Names (`dns-failed` also marks a check skipped because its name did not resolve).
  // `family-missing`: the name exists, but has no address of the asked family (no AAAA or no A).
  'nxdomain',
  'dns-failed',
  'family-missing',
  // TLS.
  'tls-failed',
  'tls-intercepted',
  'tls-hostname-mismatch',
  // Proxies.
  'proxy-refused',
  'proxy-failed',
  'proxy-auth-required',
  // The server answered, but not as it should.
  // `family-unsupported`: 440, the TURN server does not relay the asked address family (RFC 8656).
  'protocol-error',
  'bad-response',
  'auth-failed',
  'turn-error',
  'permission-denied',
  'family-unsupported',
  // The browser's WebRTC tests.
  'ice-failed',
  'ice-error',
  'no-data',
  'webrtc-error',
  'no-credentials',
  // Not run or not finished.
  'credentials-failed',
  'aborted',
  'cancelled',
  'deadline',
  'not-rerun',
  'engine-error',
  'untrusted-relay',
  'not-needed',
  // A reason written by another Pathcheck version that this one does not know (see ReasonSchema).
  'unknown',
] as const;
export type Reason = (typeof REASONS)[number];

const KNOWN = new Set<string>(REASONS);
export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && KNOWN.has(value);
}

/**
 * The report's `reason` field. Reports on disk may come from another version of Pathcheck whose
 * vocabulary differs; such a reason reads as `unknown` instead of making the whole report
 * unreadable. Everything this version writes is one of REASONS.
 */
export const ReasonSchema = z.preprocess(
  (v) => (typeof v === 'string' && v.length > 0 && !KNOWN.has(v) ? 'unknown' : v),
  z.enum(REASONS),
);

/** Reasons that mean "the network did not let this through" (as opposed to auth or configuration). */
export const BLOCK_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  'timeout',
  'refused',
  'reset',
  'unreachable',
  'local-blocked',
  'proxy-refused',
  'proxy-failed',
]);

/** Reasons a proxy gave: the block, if any, is the proxy's. */
export const PROXY_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  'proxy-refused',
  'proxy-failed',
  'proxy-auth-required',
]);

/** Silent or routing failures: most likely dropped at the network's edge. */
export const PERIMETER_REASONS: ReadonlySet<Reason> = new Set<Reason>(['timeout', 'unreachable', 'tls-intercepted']);

/**
 * Short words for a reason (tables, tooltips), and one sentence about `target` (e.g. "TCP to
 * turn.example.com:443") for a failed check's detail. One table, so every view says the same.
 */
export const REASON_TEXT: Record<Reason, { label: string; sentence: (target: string, deadlineMs?: number) => string }> =
  {
    ok: { label: 'works', sentence: (t) => `${t} works.` },
    allocated: { label: 'relay allocated', sentence: (t) => `${t} gave a relay allocation.` },
    'auth-required': {
      label: 'reachable, asks for credentials',
      sentence: (t) => `${t} is reachable and asks for credentials.`,
    },
    'poor-quality': { label: 'works, poor quality', sentence: (t) => `${t} works, but with high loss or jitter.` },
    'mdns-only': {
      label: 'only mDNS addresses',
      sentence: (t) => `${t} connected using hidden (mDNS) local addresses only.`,
    },
    'no-srflx': {
      label: 'no public address learned',
      sentence: (t) => `${t} did not tell this computer its public address.`,
    },
    timeout: {
      label: 'no answer in time',
      sentence: (t, ms) =>
        `${t} got no answer within ${ms ?? '?'} ms — something on the way silently drops the traffic.`,
    },
    refused: {
      label: 'refused',
      sentence: (t) => `${t} was actively refused — nothing listens there, or a firewall rejects the connection.`,
    },
    reset: {
      label: 'connection reset',
      sentence: (t) => `${t} was cut off (connection reset) — a firewall or the server closed it abruptly.`,
    },
    unreachable: {
      label: 'unreachable',
      sentence: (t) => `${t} is unreachable — this machine has no route to that address.`,
    },
    'local-blocked': {
      label: 'blocked on this computer',
      sentence: (t) => `${t} was blocked by this computer's own firewall before it left the machine.`,
    },
    nxdomain: { label: 'name does not exist', sentence: (t) => `${t} does not exist in DNS.` },
    'family-missing': {
      label: 'no address of this IP family',
      sentence: (t) => `${t} found no address of the asked IP family (no AAAA or A record).`,
    },
    'dns-failed': {
      label: 'name lookup failed',
      sentence: (t) => `${t} could not be looked up — the DNS server did not answer properly.`,
    },
    'tls-failed': { label: 'TLS handshake failed', sentence: (t) => `${t} failed during the TLS handshake.` },
    'tls-intercepted': {
      label: 'TLS inspected',
      sentence: (t) =>
        `${t} is re-signed by an unexpected certificate — a TLS-inspecting proxy or firewall sits in the path.`,
    },
    'tls-hostname-mismatch': {
      label: 'certificate for another name',
      sentence: (t) => `${t} presented a valid certificate for a different name.`,
    },
    'proxy-refused': { label: 'refused by the proxy', sentence: (t) => `${t} was refused by the proxy server.` },
    'proxy-failed': { label: 'proxy failed', sentence: (t) => `${t} could not be reached through the proxy server.` },
    'proxy-auth-required': {
      label: 'proxy asks for a login',
      sentence: (t) => `${t} needs a proxy login (HTTP 407) that Pathcheck does not have.`,
    },
    'protocol-error': {
      label: 'invalid answer',
      sentence: (t) => `${t} answered, but not with a valid message of its protocol.`,
    },
    'bad-response': {
      label: 'wrong answer',
      sentence: (t) => `${t} answered, but the answer does not fit the request.`,
    },
    'auth-failed': { label: 'credentials refused', sentence: (t) => `${t} refused the credentials.` },
    'turn-error': { label: 'TURN error', sentence: (t) => `${t} refused the TURN request with an error.` },
    'family-unsupported': {
      label: 'IP family not relayed',
      sentence: (t) => `${t} does not relay the asked IP family (440 Address Family not Supported).`,
    },
    'permission-denied': {
      label: 'relay permission denied',
      sentence: (t) => `${t} refused to relay to this computer's address.`,
    },
    'ice-failed': { label: 'ICE failed', sentence: (t) => `${t}: the browser's connection attempt (ICE) failed.` },
    'ice-error': { label: 'ICE error', sentence: (t) => `${t}: the browser reported an ICE error.` },
    'no-data': { label: 'no media flowed', sentence: (t) => `${t} connected, but no media data flowed.` },
    'webrtc-error': { label: 'WebRTC error', sentence: (t) => `${t}: the browser's WebRTC test could not run.` },
    'no-credentials': {
      label: 'no credentials',
      sentence: (t) => `${t} was not tested: there are no TURN credentials.`,
    },
    'credentials-failed': {
      label: 'credentials not obtained',
      sentence: (t) => `${t} was not run: the TURN credentials could not be obtained.`,
    },
    aborted: { label: 'cancelled', sentence: (t) => `${t} was cancelled before it finished.` },
    cancelled: { label: 'cancelled', sentence: (t) => `${t} did not run: the diagnosis was cancelled.` },
    deadline: { label: 'not finished', sentence: (t) => `${t} did not finish before the diagnosis deadline.` },
    'not-rerun': { label: 'not repeated', sentence: (t) => `${t} was not repeated after the change.` },
    'engine-error': { label: 'internal error', sentence: (t) => `${t} failed unexpectedly inside Pathcheck.` },
    'untrusted-relay': {
      label: 'relay outside the profile',
      sentence: (t) => `${t} offered a relay address outside the profile's address ranges, so it was not probed.`,
    },
    'not-needed': {
      label: 'not needed',
      sentence: (t) => `${t} was not run: its answer was already clear, or the path it measures does not work.`,
    },
    unknown: {
      label: 'unknown reason',
      sentence: (t) => `${t}: the reason was written by another version of Pathcheck.`,
    },
  };

/** The short label of a reason, for views that show the code. */
export function reasonLabel(reason: Reason): string {
  return REASON_TEXT[reason].label;
}
