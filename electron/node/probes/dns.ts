import dns from 'node:dns';
import net from 'node:net';
import type { ProbeOptions, ProbeOutcome } from './types';
import { AbortedError, elapsedMs, raceSignal, startDeadline } from './deadline';
import type { Reason } from '#common/report/reason';
import { describeReason, errnoOf, reasonForErrno } from './errors';

/** What the DNS probe records; `resolvers` is what Node sees, the system resolver may differ. */
export interface DnsEvidence extends Record<string, unknown> {
  host: string;
  addresses: { address: string; family: 4 | 6 }[];
  resolvers: string[];
  durationMs: number;
  via: 'system' | 'literal';
  errno?: string;
}

/** Test seam: the lookup function (defaults to the system resolver, `dns.lookup` with `all: true`). */
export type LookupAll = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: LookupAll = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/**
 * Resolves `host` with the system resolver (getaddrinfo), as browsers and Electron do, so
 * /etc/hosts, nsswitch and VPN split-DNS all apply — the lab depends on /etc/hosts. getaddrinfo
 * cannot be cancelled, so the lookup is raced against the deadline and left to finish in the
 * background (it holds a libuv thread-pool slot, not a socket).
 */
export async function resolveHost(
  host: string,
  opts: ProbeOptions & { lookup?: LookupAll; family?: 4 | 6 },
): Promise<ProbeOutcome<DnsEvidence>> {
  const start = performance.now();
  const resolvers = safeServers();
  const fam = net.isIP(host);
  if (fam === 4 || fam === 6) {
    return {
      status: 'pass',
      rttMs: 0,
      reason: 'ok',
      detail: `${host} is an IP address; no DNS lookup needed.`,
      evidence: { host, addresses: [{ address: host, family: fam }], resolvers, durationMs: 0, via: 'literal' },
    };
  }
  const dl = startDeadline(opts.deadlineMs, opts.signal);
  const lookup = opts.lookup ?? systemLookup;
  try {
    const raw = lookup(host);
    raw.catch(() => undefined); // a late rejection after the deadline must not be unhandled
    const found = await raceSignal(raw, dl.signal);
    const durationMs = elapsedMs(start);
    const addresses = found.map((a) => ({ address: a.address, family: (a.family === 6 ? 6 : 4) as 4 | 6 }));
    if (addresses.length === 0) {
      return fail('nxdomain', host, { host, addresses, resolvers, durationMs, via: 'system' }, opts.deadlineMs);
    }
    if (opts.family !== undefined && !addresses.some((a) => a.family === opts.family)) {
      // The name exists, only not in this family (no AAAA, or no A): not a DNS failure.
      return {
        status: 'fail',
        reason: 'family-missing',
        evidence: { host, addresses, resolvers, durationMs, via: 'system' },
        detail: `${host} has no IPv${opts.family} address (${opts.family === 6 ? 'AAAA' : 'A'} record); it resolves to ${addresses.map((a) => a.address).join(', ')} only.`,
      };
    }
    return {
      status: 'pass',
      rttMs: durationMs,
      reason: 'ok',
      detail: `${host} resolves to ${addresses.map((a) => a.address).join(', ')}.`,
      evidence: { host, addresses, resolvers, durationMs, via: 'system' },
    };
  } catch (err) {
    const durationMs = elapsedMs(start);
    const base: DnsEvidence = { host, addresses: [], resolvers, durationMs, via: 'system' };
    if (err instanceof AbortedError) return fail(dl.why() ?? 'aborted', host, base, opts.deadlineMs);
    const code = errnoOf(err);
    if (code !== undefined) base.errno = code;
    const r = reasonForErrno(code);
    return fail(r === 'nxdomain' || r === 'dns-failed' ? r : 'dns-failed', host, base, opts.deadlineMs);
  } finally {
    dl.dispose();
  }
}

/**
 * The addresses of one family from a DNS check's evidence, in resolver order (what the engine
 * probes for that family: the first one, as Chromium's happy-eyeballs starts with it).
 */
export function addressesOf(
  evidence: Pick<DnsEvidence, 'addresses'> | Record<string, unknown> | undefined,
  family: 4 | 6,
): string[] {
  const list = (evidence as { addresses?: unknown } | undefined)?.addresses;
  if (!Array.isArray(list)) return [];
  return list
    .filter(
      (a): a is { address: string; family: number } =>
        typeof a === 'object' && a !== null && typeof (a as { address?: unknown }).address === 'string',
    )
    .filter((a) => a.family === family && net.isIP(a.address) === family)
    .map((a) => a.address);
}

function fail(reason: Reason, host: string, evidence: DnsEvidence, deadlineMs: number): ProbeOutcome<DnsEvidence> {
  const detail =
    reason === 'timeout'
      ? `Looking up ${host} took longer than ${deadlineMs} ms — the DNS server is slow or unreachable.`
      : describeReason(reason, `DNS lookup of ${host}`, deadlineMs).replace(
          `DNS lookup of ${host} does not exist`,
          `${host} does not exist`,
        );
  return { status: 'fail', reason, detail, evidence };
}

function safeServers(): string[] {
  try {
    return dns.getServers();
  } catch {
    return [];
  }
}
