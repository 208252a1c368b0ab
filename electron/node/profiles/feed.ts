import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { isCidr } from '#common/net/validate';
import type { AddressFeed, Profile } from '#common/profile/schema';
import { openTunnel, type ProxyEndpoint } from '../net/proxy';

/**
 * A provider's published address ranges (Zoom's `Zoom.txt`, Microsoft's endpoints JSON), fetched
 * only when the user asks, through the proxy the system uses, under one deadline and a size cap,
 * and validated strictly: one line or one entry that is not a CIDR and the whole feed is refused —
 * a half-understood feed must not become firewall rules. Kept in a cache with the time it was
 * fetched, so a report can say how old its ranges are.
 */

/** The largest feed accepted (Microsoft's worldwide endpoints JSON is ~100 KB; Zoom.txt ~5 KB). */
export const MAX_FEED_BYTES = 1024 * 1024;
/** The profile schema's cap per address family; a feed with more is refused, not cut. */
export const MAX_FEED_RANGES = 512;

export interface FeedRanges {
  url: string;
  /** ISO-8601 time the feed was fetched. */
  fetchedAt: string;
  ipv4: string[];
  ipv6: string[];
}

export class FeedError extends Error {
  constructor(
    readonly reason: 'http' | 'too-large' | 'malformed' | 'timeout' | 'network' | 'too-many',
    message: string,
  ) {
    super(message);
    this.name = 'FeedError';
  }
}

function classify(cidrs: Iterable<string>, url: string): { ipv4: string[]; ipv6: string[] } {
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  for (const c of cidrs) {
    if (isCidr(c, 4)) ipv4.add(c);
    else if (isCidr(c, 6)) ipv6.add(c.toLowerCase());
    else throw new FeedError('malformed', `${url}: "${c.slice(0, 60)}" is not an address range`);
  }
  if (ipv4.size > MAX_FEED_RANGES || ipv6.size > MAX_FEED_RANGES) {
    throw new FeedError('too-many', `${url} lists more than ${MAX_FEED_RANGES} ranges of one address family`);
  }
  return { ipv4: [...ipv4], ipv6: [...ipv6] };
}

/** Parses a feed's text: every line a CIDR (`cidr-lines`), or Microsoft's endpoint sets for one service area. */
export function parseFeed(feed: AddressFeed, text: string): { ipv4: string[]; ipv6: string[] } {
  if (feed.format === 'cidr-lines') {
    const lines = text.split(/\r?\n/).map((l) => l.trim());
    const cidrs: string[] = [];
    lines.forEach((line, i) => {
      if (line === '') return;
      if (!isCidr(line))
        throw new FeedError('malformed', `${feed.url}: line ${i + 1} is not an address range ("${line.slice(0, 60)}")`);
      cidrs.push(line);
    });
    if (cidrs.length === 0) throw new FeedError('malformed', `${feed.url} lists no address range`);
    return classify(cidrs, feed.url);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FeedError('malformed', `${feed.url} is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new FeedError('malformed', `${feed.url} is not a list of endpoint sets`);
  const cidrs: string[] = [];
  data.forEach((set: unknown, i) => {
    if (!set || typeof set !== 'object')
      throw new FeedError('malformed', `${feed.url}: entry ${i} is not an endpoint set`);
    const s = set as { serviceArea?: unknown; ips?: unknown };
    if (typeof s.serviceArea !== 'string')
      throw new FeedError('malformed', `${feed.url}: entry ${i} has no serviceArea`);
    if (s.serviceArea !== feed.serviceArea || s.ips === undefined) return;
    if (!Array.isArray(s.ips) || s.ips.some((ip) => typeof ip !== 'string'))
      throw new FeedError('malformed', `${feed.url}: entry ${i} has malformed ips`);
    cidrs.push(...(s.ips as string[]));
  });
  if (cidrs.length === 0)
    throw new FeedError('malformed', `${feed.url} lists no address range for ${feed.serviceArea}`);
  return classify(cidrs, feed.url);
}

export interface FetchFeedOptions {
  /** Whole fetch (connect, headers and body) must finish within this. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** The proxy the system uses for the feed's URL, or null for a direct connection. */
  proxy?: ProxyEndpoint | null;
  /** Extra trusted CA (tests serve the feed from a local HTTPS server). */
  ca?: string;
  maxBytes?: number;
  now?: () => Date;
}

/** Fetches and validates a feed (no redirects followed, HTTPS only). Never resolves with a partial feed. */
export async function fetchFeed(feed: AddressFeed, opts: FetchFeedOptions): Promise<FeedRanges> {
  const url = new URL(feed.url);
  if (url.protocol !== 'https:') throw new FeedError('network', `${feed.url} is not an https:// URL`);
  const maxBytes = opts.maxBytes ?? MAX_FEED_BYTES;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const text = await new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new FeedError('timeout', `${feed.url} did not arrive within ${opts.deadlineMs} ms`));
      }, opts.deadlineMs);
      const req = request(
        {
          host,
          port,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          servername: host,
          headers: {
            Accept: feed.format === 'cidr-lines' ? 'text/plain' : 'application/json',
            'User-Agent': 'pathcheck',
          },
          ...(opts.ca ? { ca: [...tls.rootCertificates, opts.ca] } : {}),
          signal: controller.signal,
          // No pooled agent: one connection per fetch. With a proxy there is no agent at all (Node then
          // uses createConnection: TLS over the CONNECT tunnel, certificate checked for the feed's host).
          ...(opts.proxy
            ? {
                createConnection: (_o: unknown, done: (err: Error | null, socket: Duplex) => void) => {
                  openTunnel(
                    opts.proxy!,
                    { host, port },
                    { deadlineMs: opts.deadlineMs, signal: controller.signal },
                  ).then(
                    (raw) => {
                      const s = tls.connect({
                        socket: raw,
                        servername: host,
                        ...(opts.ca ? { ca: [...tls.rootCertificates, opts.ca] } : {}),
                      });
                      done(null, s);
                    },
                    (e: Error) =>
                      done(
                        new FeedError('network', `the proxy did not open a tunnel to ${host}: ${e.message}`),
                        undefined as unknown as Duplex,
                      ),
                  );
                  return undefined;
                },
              }
            : { agent: false }),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            res.resume();
            reject(
              new FeedError(
                'http',
                `${feed.url} answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`,
              ),
            );
            return;
          }
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBytes) {
            req.destroy();
            reject(new FeedError('too-large', `${feed.url} is larger than ${maxBytes / 1024} KB`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            size += d.length;
            if (size > maxBytes) {
              req.destroy();
              reject(new FeedError('too-large', `${feed.url} is larger than ${maxBytes / 1024} KB`));
            } else chunks.push(d);
          });
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', (e) => reject(new FeedError('network', `${feed.url}: ${e.message}`)));
        },
      );
      req.on('error', (e) =>
        reject(
          e instanceof FeedError
            ? e
            : new FeedError(controller.signal.aborted ? 'timeout' : 'network', `${feed.url}: ${e.message}`),
        ),
      );
      req.end();
    });
    const ranges = parseFeed(feed, text);
    return { url: feed.url, fetchedAt: (opts.now?.() ?? new Date()).toISOString(), ...ranges };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Feeds fetched before, one file per URL (named by its digest), with their fetch time. */
export function feedCache(dir: string) {
  const fileOf = (url: string) => join(dir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.json`);
  return {
    async load(feed: AddressFeed): Promise<FeedRanges | null> {
      let text: string;
      try {
        text = await readFile(fileOf(feed.url), 'utf8');
      } catch {
        return null;
      }
      try {
        const v = JSON.parse(text) as FeedRanges;
        if (v.url !== feed.url || Number.isNaN(Date.parse(v.fetchedAt))) return null;
        // Re-validated on every read: the cache is a file anyone with this account can edit.
        const ranges = classify([...(v.ipv4 ?? []), ...(v.ipv6 ?? [])], feed.url);
        return { url: v.url, fetchedAt: v.fetchedAt, ...ranges };
      } catch {
        return null;
      }
    },
    async save(ranges: FeedRanges): Promise<void> {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = fileOf(ranges.url);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(ranges), { mode: 0o600 });
      await rename(tmp, file);
    },
  };
}

/**
 * The profile with its feed's ranges as `addresses` (what the rule generators open), and the
 * record the report keeps of where they came from and when. The profile's own listed ranges are
 * replaced: the feed is the provider's current list.
 */
export function withFeedAddresses(profile: Profile, ranges: FeedRanges): Profile {
  return { ...profile, addresses: { ipv4: ranges.ipv4, ipv6: ranges.ipv6 } };
}

/** "fetched 2026-11-28 (3 days ago)" for a report or a ticket. */
export function feedAge(fetchedAt: string, now: Date = new Date()): string {
  const days = Math.floor((now.getTime() - Date.parse(fetchedAt)) / 86_400_000);
  const when = fetchedAt.slice(0, 10);
  return `fetched ${when} (${days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`})`;
}

/** Where fetched feeds are kept: $PATHCHECK_CACHE_DIR, else $XDG_CACHE_HOME/pathcheck, else ~/.cache/pathcheck. */
export function defaultFeedCacheDir(env: Record<string, string | undefined>, home: string): string {
  if (env.PATHCHECK_CACHE_DIR) return join(env.PATHCHECK_CACHE_DIR, 'feeds');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'pathcheck', 'feeds');
}
