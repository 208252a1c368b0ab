import net from 'node:net';
import type { ProbeOptions } from '../probes/types';
import { startDeadline } from '../probes/deadline';
import { errnoOf } from '../probes/errors';

/** Where an HTTP proxy lives. `auth` is "user:pass" (sent as Basic Proxy-Authorization). */
export interface ProxyEndpoint { host: string; port: number; auth?: string }

/** A proxy chosen for a target, with where the choice came from (for the report). */
export interface ProxyChoice extends ProxyEndpoint { url: string; source: string }

/**
 * Why a tunnel could not be opened. `reason` uses the probe vocabulary: `proxy-refused` (the proxy
 * answered with 403/405/407 — policy), `proxy-failed` (other non-2xx, malformed answer, or the proxy
 * itself unreachable — see `errno`), `timeout`, `aborted`.
 */
export class ProxyError extends Error {
  constructor(
    message: string,
    readonly reason: 'proxy-refused' | 'proxy-failed' | 'timeout' | 'aborted',
    readonly status?: number,
    readonly statusLine?: string,
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

const MAX_HEADER = 16 * 1024;

function hostForAuthority(host: string): string {
  return net.isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * Opens an HTTP CONNECT tunnel through `proxy` to `target` and resolves with the raw socket,
 * positioned just after the proxy's response header (ready for TLS or TURN-TCP framing).
 * Chromium sends TURN-TCP/TLS this way, so a probe that ignores the proxy would test a path the
 * real client never uses. On any failure the socket is destroyed before rejecting.
 */
export function openTunnel(
  proxy: ProxyEndpoint,
  target: { host: string; port: number },
  opts: ProbeOptions,
): Promise<net.Socket> {
  const dl = startDeadline(opts.deadlineMs, opts.signal);
  return new Promise<net.Socket>((resolve, reject) => {
    const sock = net.connect({ host: proxy.host, port: proxy.port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (err: ProxyError | null): void => {
      if (settled) return;
      settled = true;
      dl.signal.removeEventListener('abort', onAbort);
      dl.dispose();
      sock.removeListener('data', onData);
      sock.removeListener('error', onError);
      sock.removeListener('close', onClose);
      if (err) {
        sock.destroy();
        reject(err);
      } else {
        sock.pause();
        resolve(sock);
      }
    };
    const onAbort = (): void => {
      const why = dl.why() ?? 'aborted';
      finish(new ProxyError(why === 'timeout'
        ? `Proxy ${proxy.host}:${proxy.port} did not open a tunnel within ${opts.deadlineMs} ms`
        : 'Proxy tunnel cancelled', why));
    };
    const onError = (e: Error): void => {
      const errno = errnoOf(e);
      finish(new ProxyError(`Proxy ${proxy.host}:${proxy.port} unreachable: ${e.message}`, 'proxy-failed', undefined, undefined, errno));
    };
    const onClose = (): void => {
      finish(new ProxyError(`Proxy ${proxy.host}:${proxy.port} closed the connection before answering`, 'proxy-failed'));
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEADER) finish(new ProxyError('Proxy answer header too large', 'proxy-failed'));
        return;
      }
      const head = buf.subarray(0, end).toString('latin1');
      const rest = buf.subarray(end + 4);
      const statusLine = head.split('\r\n')[0] ?? '';
      const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\b/.exec(statusLine);
      if (!m) {
        finish(new ProxyError(`Proxy sent a malformed answer: ${statusLine.slice(0, 100)}`, 'proxy-failed', undefined, statusLine.slice(0, 200)));
        return;
      }
      const status = Number(m[1]);
      if (status >= 200 && status < 300) {
        // Detach and pause first: unshift on a flowing stream would re-emit 'data' into onData.
        finish(null);
        if (rest.length > 0) sock.unshift(rest);
        return;
      }
      const refused = status === 403 || status === 405 || status === 407;
      finish(new ProxyError(`Proxy ${proxy.host}:${proxy.port} answered "${statusLine.slice(0, 200)}" to CONNECT ${target.host}:${target.port}`,
        refused ? 'proxy-refused' : 'proxy-failed', status, statusLine.slice(0, 200)));
    };
    if (dl.signal.aborted) { onAbort(); return; }
    dl.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', onError);
    sock.on('close', onClose);
    sock.on('data', onData);
    sock.once('connect', () => {
      const authority = `${hostForAuthority(target.host)}:${target.port}`;
      const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, 'User-Agent: pathcheck'];
      if (proxy.auth) lines.push(`Proxy-Authorization: Basic ${Buffer.from(proxy.auth).toString('base64')}`);
      sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}

/**
 * The proxy the environment asks for when reaching `targetUrl`, the way curl and most CLI tools
 * read it: HTTPS_PROXY/https_proxy for https (HTTP_PROXY/http_proxy for http), then ALL_PROXY,
 * unless NO_PROXY matches (`*`, exact host, `.suffix` or `suffix` matching subdomains, optional
 * `:port`). Lower-case names win over upper-case, as in curl. SOCKS proxies are ignored (returns
 * null): Chromium's TURN-TCP does use SOCKS, but Pathcheck only probes HTTP CONNECT for now.
 */
export function proxyFromEnv(env: Record<string, string | undefined>, targetUrl: string): ProxyChoice | null {
  let target: URL;
  try { target = new URL(targetUrl); } catch { return null; }
  const targetHost = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const targetPort = target.port !== '' ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
  if (noProxyMatches(pick(env, 'no_proxy')?.value ?? '', targetHost, targetPort)) return null;
  const names = target.protocol === 'https:' ? ['https_proxy', 'all_proxy'] : ['http_proxy', 'all_proxy'];
  for (const name of names) {
    const found = pick(env, name);
    if (!found) continue;
    const parsed = parseProxyUrl(found.value);
    if (!parsed) continue;
    return { ...parsed, source: `env:${found.key}` };
  }
  return null;
}

function pick(env: Record<string, string | undefined>, lower: string): { key: string; value: string } | undefined {
  for (const key of [lower, lower.toUpperCase()]) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') return { key, value: v.trim() };
  }
  return undefined;
}

/** Parses `http://user:pass@host:port`, `host:port` or `host`; null for SOCKS or garbage. */
export function parseProxyUrl(value: string): Omit<ProxyChoice, 'source'> | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let u: URL;
  try { u = new URL(withScheme); } catch { return null; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return null;
  const port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const out: Omit<ProxyChoice, 'source'> = { url: `${u.protocol}//${u.host}`, host, port };
  if (u.username !== '') out.auth = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return out;
}

/** True when a NO_PROXY list exempts `host` (lower-case, no brackets) on `port`. */
export function noProxyMatches(list: string, host: string, port: number): boolean {
  for (const raw of list.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1] ?? '';
      if (bracketed[2] !== undefined) entryPort = Number(bracketed[2]);
    } else if (net.isIP(entry) !== 6) {
      const m = /^(.+?):(\d+)$/.exec(entry);
      if (m) { entry = m[1] ?? ''; entryPort = Number(m[2]); }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true;
    } else if (host === entry || host.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}
