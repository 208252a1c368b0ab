import net from 'node:net';
import type { ProbeOptions } from '../probes/types';
import { startDeadline } from '../probes/deadline';
import { errnoOf } from '../probes/errors';

/** Where an HTTP proxy lives. `auth` is "user:pass" (sent as Basic Proxy-Authorization). */
export interface ProxyEndpoint {
  host: string;
  port: number;
  auth?: string;
}

/** A proxy chosen for a target, with where the choice came from (for the report). */
export interface ProxyChoice extends ProxyEndpoint {
  url: string;
  source: string;
}

/** Authentication schemes a proxy can ask for in `Proxy-Authenticate` (RFC 9110 §11.7.1). */
export type ProxyAuthScheme = 'Basic' | 'Digest' | 'Negotiate' | 'NTLM' | 'Bearer' | 'other';

/** What a 407 answer asked for: the schemes offered (in the proxy's order) and whether credentials were sent. */
export interface ProxyAuthChallenge {
  /** `host:port` of the proxy that asked. */
  proxy: string;
  schemes: ProxyAuthScheme[];
  /** Realm of the first challenge that names one (shown to the user, never trusted). */
  realm?: string;
  /** True when this request carried credentials (so the proxy rejected them). */
  credentialsSent: boolean;
}

/**
 * Why a tunnel could not be opened. `reason` uses the probe vocabulary: `proxy-refused` (the proxy
 * answered 403/405 — policy), `proxy-auth-required` (407: the proxy wants credentials, see
 * `challenge`; not a policy block), `proxy-failed` (other non-2xx, malformed answer, or the proxy
 * itself unreachable — see `errno`), `timeout`, `aborted`.
 */
export class ProxyError extends Error {
  constructor(
    message: string,
    readonly reason: 'proxy-refused' | 'proxy-auth-required' | 'proxy-failed' | 'timeout' | 'aborted',
    readonly status?: number,
    readonly statusLine?: string,
    readonly errno?: string,
    readonly challenge?: ProxyAuthChallenge,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

const KNOWN_SCHEMES: Record<string, ProxyAuthScheme> = {
  basic: 'Basic',
  digest: 'Digest',
  negotiate: 'Negotiate',
  ntlm: 'NTLM',
  bearer: 'Bearer',
};
const MAX_CHALLENGES = 16;

/**
 * The schemes named by the `Proxy-Authenticate` header lines of an HTTP answer head (status line
 * first, CRLF-separated). A header may repeat or carry several comma-separated challenges
 * (`Negotiate, NTLM`, `Basic realm="a, b"`); a scheme is a token followed by a space, a comma or the
 * end, never inside a quoted string or after `=`. Unknown schemes are `other`; at most 16 kept.
 */
export function parseProxyAuthenticate(head: string): { schemes: ProxyAuthScheme[]; realm?: string } {
  const schemes: ProxyAuthScheme[] = [];
  let realm: string | undefined;
  for (const line of head.split('\r\n').slice(1)) {
    const m = /^proxy-authenticate[ \t]*:[ \t]*(.*)$/i.exec(line);
    if (!m) continue;
    const value = m[1] ?? '';
    // Walk the value, skipping quoted strings, and take each token that starts a challenge: at the
    // start, or after a comma, when it is not an auth-param name (followed by '=').
    let i = 0;
    let atStart = true;
    while (i < value.length && schemes.length < MAX_CHALLENGES) {
      const ch = value[i]!;
      if (ch === '"') {
        const close = value.indexOf('"', i + 1);
        const quoted = value.slice(i + 1, close < 0 ? value.length : close);
        if (realm === undefined && /realm[ \t]*=[ \t]*$/i.test(value.slice(0, i))) realm = quoted.slice(0, 200);
        i = close < 0 ? value.length : close + 1;
        atStart = false;
        continue;
      }
      if (ch === ',') {
        atStart = true;
        i++;
        continue;
      }
      if (ch === ' ' || ch === '\t') {
        i++;
        continue;
      }
      const tok = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(value.slice(i))?.[0] ?? ch;
      const after = value.slice(i + tok.length).trimStart();
      if (atStart && !after.startsWith('=')) {
        const scheme = KNOWN_SCHEMES[tok.toLowerCase()] ?? 'other';
        if (!schemes.includes(scheme)) schemes.push(scheme);
      }
      atStart = false;
      i += tok.length;
    }
  }
  return realm === undefined ? { schemes } : { schemes, realm };
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
      finish(
        new ProxyError(
          why === 'timeout'
            ? `Proxy ${proxy.host}:${proxy.port} did not open a tunnel within ${opts.deadlineMs} ms`
            : 'Proxy tunnel cancelled',
          why,
        ),
      );
    };
    const onError = (e: Error): void => {
      const errno = errnoOf(e);
      finish(
        new ProxyError(
          `Proxy ${proxy.host}:${proxy.port} unreachable: ${e.message}`,
          'proxy-failed',
          undefined,
          undefined,
          errno,
        ),
      );
    };
    const onClose = (): void => {
      finish(
        new ProxyError(`Proxy ${proxy.host}:${proxy.port} closed the connection before answering`, 'proxy-failed'),
      );
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
        finish(
          new ProxyError(
            `Proxy sent a malformed answer: ${statusLine.slice(0, 100)}`,
            'proxy-failed',
            undefined,
            statusLine.slice(0, 200),
          ),
        );
        return;
      }
      const status = Number(m[1]);
      if (status >= 200 && status < 300) {
        // Detach and pause first: unshift on a flowing stream would re-emit 'data' into onData.
        finish(null);
        if (rest.length > 0) sock.unshift(rest);
        return;
      }
      if (status === 407) {
        const parsed = parseProxyAuthenticate(head);
        const challenge: ProxyAuthChallenge = {
          proxy: `${hostForAuthority(proxy.host)}:${proxy.port}`,
          ...parsed,
          credentialsSent: Boolean(proxy.auth),
        };
        const asked = parsed.schemes.length ? parsed.schemes.join(', ') : 'an unnamed scheme';
        finish(
          new ProxyError(
            proxy.auth
              ? `Proxy ${challenge.proxy} rejected the credentials it was given (it asks for ${asked}) for CONNECT ${target.host}:${target.port}`
              : `Proxy ${challenge.proxy} needs credentials (it asks for ${asked}) for CONNECT ${target.host}:${target.port}, and none were given`,
            'proxy-auth-required',
            status,
            statusLine.slice(0, 200),
            undefined,
            challenge,
          ),
        );
        return;
      }
      const refused = status === 403 || status === 405;
      finish(
        new ProxyError(
          `Proxy ${proxy.host}:${proxy.port} answered "${statusLine.slice(0, 200)}" to CONNECT ${target.host}:${target.port}`,
          refused ? 'proxy-refused' : 'proxy-failed',
          status,
          statusLine.slice(0, 200),
        ),
      );
    };
    if (dl.signal.aborted) {
      onAbort();
      return;
    }
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
  try {
    target = new URL(targetUrl);
  } catch {
    return null;
  }
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
  try {
    u = new URL(withScheme);
  } catch {
    return null;
  }
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
      if (m) {
        entry = m[1] ?? '';
        entryPort = Number(m[2]);
      }
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

/**
 * One sentence for a 407: which proxy asked, for which schemes, and what to do. Said plainly when
 * no credentials were given (the CLI takes them from the proxy URL; the app lets Chromium answer).
 */
export function proxyAuthSentence(target: string, challenge: ProxyAuthChallenge | undefined): string {
  const who = challenge ? `The proxy ${challenge.proxy}` : 'The proxy';
  const asked = challenge?.schemes.length ? ` (it asks for ${challenge.schemes.join(', ')})` : '';
  if (challenge?.credentialsSent) {
    return `${who} needs your credentials to open a tunnel to ${target}${asked}, and rejected the ones it was given — check the user name and password.`;
  }
  return `${who} needs your credentials to open a tunnel to ${target}${asked}, and none were given — this is sign-in, not a block: give them in the proxy URL (http://user:password@proxy:port), or run the app, whose browser signs in to the proxy.`;
}
