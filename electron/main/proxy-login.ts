import { randomUUID } from 'node:crypto';
import type { ProxyAuthAnswered, ProxyAuthAnswerRequestSchema, ProxyAuthPrompt } from '#common/ipc/proxy-auth';
import { fail, ok, type IpcResult } from '#common/ipc/result';
import type { z } from 'zod';

/**
 * Chromium's proxy sign-in, decided in main. Electron emits `app.on('login')` when a server or a
 * proxy answers 401/407; this module answers only proxy challenges (`authInfo.isProxy`) from the
 * app's own windows, and only when the challenging host:port is a proxy main itself resolved for
 * that request's URL (`session.resolveProxy`) — credentials never go to anything else. It asks
 * the page (one prompt per proxy/scheme/realm at a time, with a deadline), passes the answer to
 * Chromium, and keeps it only when the user asked, in memory, for this session. A challenge that
 * repeats after an answer means the proxy rejected it: the remembered copy is dropped and the user
 * is asked again (marked as a retry). Everything else is cancelled, which is Chromium's default.
 */

/** What Electron passes as `authInfo` (Electron.AuthInfo). */
export interface LoginAuthInfo {
  isProxy: boolean;
  scheme: string;
  host: string;
  port: number;
  realm: string;
}
/** `authenticationResponseDetails`: the URL of the request that was challenged. */
export interface LoginDetails {
  url: string;
}
export type LoginCallback = (username?: string, password?: string) => void;
type AnswerRequest = z.output<typeof ProxyAuthAnswerRequestSchema>;

export interface ProxyLoginDeps {
  /** `session.resolveProxy(url)`: Chromium's own answer ("PROXY host:port; DIRECT"). */
  resolveProxy(url: string): Promise<string>;
  /** Shows the prompt in the app's window (the `proxy-auth:request` event). */
  ask(prompt: ProxyAuthPrompt): void;
  /** Whether a web contents is one of the app's own windows (window.ts). */
  isOwnWebContents(id: number): boolean;
  /** How long a prompt waits for the user before the challenge is cancelled; 2 minutes by default. */
  promptTimeoutMs?: number;
  newId?: () => string;
  log?: (message: string) => void;
}

/** What happened with one proxy, for the report and the log (never the credentials). */
export interface ProxyLoginRecord {
  proxy: string;
  scheme: string;
  prompted: number;
  answered: boolean;
  rejected: boolean;
}

interface Pending {
  prompt: ProxyAuthPrompt;
  key: string;
  callbacks: LoginCallback[];
  timer: ReturnType<typeof setTimeout>;
}

/** The proxies in a PAC-style answer ("PROXY a:1; HTTPS b:2; DIRECT"), lower-cased `host:port`. */
export function proxiesIn(answer: string): string[] {
  const out: string[] = [];
  for (const part of answer.split(';').slice(0, 16)) {
    const m = /^\s*(?:PROXY|HTTPS)\s+(\[[0-9a-f:.]+\]|[^\s:;]+):(\d{1,5})\s*$/i.exec(part);
    if (m) out.push(`${m[1]!.toLowerCase()}:${Number(m[2])}`);
  }
  return out;
}

function authority(host: string, port: number): string {
  const h = host.toLowerCase();
  return `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`;
}

export function createProxyLogin(deps: ProxyLoginDeps) {
  const timeoutMs = deps.promptTimeoutMs ?? 120_000;
  const newId = deps.newId ?? (() => randomUUID());
  const log = deps.log ?? ((m: string) => console.warn(m));
  const pending = new Map<string, Pending>();
  const byKey = new Map<string, Pending>();
  const remembered = new Map<string, { username: string; password: string }>();
  /** Keys answered since the last prompt: a new challenge for one of them means "rejected". */
  const answeredKeys = new Set<string>();
  const records = new Map<string, ProxyLoginRecord>();

  const recordFor = (proxy: string, scheme: string): ProxyLoginRecord => {
    const k = `${proxy}|${scheme}`;
    let r = records.get(k);
    if (!r) {
      r = { proxy, scheme, prompted: 0, answered: false, rejected: false };
      records.set(k, r);
    }
    return r;
  };

  const settle = (p: Pending, creds: { username: string; password: string } | null): void => {
    clearTimeout(p.timer);
    pending.delete(p.prompt.id);
    byKey.delete(p.key);
    for (const cb of p.callbacks) {
      if (creds) cb(creds.username, creds.password);
      else cb();
    }
  };

  const challenge = async (
    proxy: string,
    info: LoginAuthInfo,
    details: LoginDetails,
    callback: LoginCallback,
  ): Promise<void> => {
    const allowed = await deps.resolveProxy(details.url).then(proxiesIn, () => [] as string[]);
    if (!allowed.includes(proxy)) {
      log(`[proxy-login] cancelled a challenge from ${proxy}: not the proxy Chromium uses for this request`);
      callback();
      return;
    }
    const scheme = info.scheme.toLowerCase().slice(0, 40);
    const realm = info.realm.slice(0, 200);
    const key = `${proxy}|${scheme}|${realm}`;
    const record = recordFor(proxy, scheme);
    const retry = answeredKeys.has(key);
    if (retry) {
      record.rejected = true;
      remembered.delete(key);
      answeredKeys.delete(key);
    }
    const kept = remembered.get(key);
    if (kept) {
      answeredKeys.add(key);
      callback(kept.username, kept.password);
      return;
    }
    const already = byKey.get(key);
    if (already) {
      already.callbacks.push(callback);
      return;
    }
    const prompt: ProxyAuthPrompt = { id: newId(), proxy, scheme, realm, retry };
    const p: Pending = {
      prompt,
      key,
      callbacks: [callback],
      timer: setTimeout(() => {
        log(`[proxy-login] nobody answered the prompt for ${proxy} within ${timeoutMs} ms; cancelled`);
        settle(p, null);
      }, timeoutMs),
    };
    pending.set(prompt.id, p);
    byKey.set(key, p);
    record.prompted++;
    deps.ask(prompt);
  };

  return {
    /**
     * The `app.on('login')` listener. Synchronous, as Electron requires: it calls `preventDefault()`
     * only for a proxy challenge from the app's own window, and answers `callback` later.
     */
    onLogin(
      event: { preventDefault(): void },
      webContents: { id: number } | null,
      details: LoginDetails,
      authInfo: LoginAuthInfo,
      callback: LoginCallback,
    ): void {
      if (!authInfo.isProxy) return; // a web server's 401: not ours to answer (Chromium cancels)
      if (!webContents || !deps.isOwnWebContents(webContents.id)) return;
      if (!Number.isInteger(authInfo.port) || authInfo.port < 1 || authInfo.port > 65535 || !authInfo.host) return;
      event.preventDefault();
      void challenge(authority(authInfo.host, authInfo.port), authInfo, details, callback).catch((e: unknown) => {
        log(`[proxy-login] ${(e as Error).message}`);
        callback();
      });
    },

    /** The `proxy-auth:answer` handler (payload already validated by handle.ts). */
    async answer(request: AnswerRequest): Promise<IpcResult<ProxyAuthAnswered>> {
      const p = pending.get(request.id);
      if (!p) return ok({ accepted: false });
      if (request.cancel) {
        settle(p, null);
        return ok({ accepted: true });
      }
      const creds = { username: request.username, password: request.password };
      if (request.remember) remembered.set(p.key, creds);
      answeredKeys.add(p.key);
      const [proxy = '', scheme = ''] = p.key.split('|');
      recordFor(proxy, scheme).answered = true;
      settle(p, creds);
      return ok({ accepted: true });
    },

    /** Per proxy and scheme: prompted, answered, rejected. Never the credentials. */
    records(): ProxyLoginRecord[] {
      return [...records.values()].map((r) => ({ ...r }));
    },

    /** Forgets every remembered answer and cancels open prompts (e.g. on quit). */
    clear(): void {
      remembered.clear();
      answeredKeys.clear();
      for (const p of [...pending.values()]) settle(p, null);
    },
  };
}

export type ProxyLogin = ReturnType<typeof createProxyLogin>;

/** Refusal for `proxy-auth:answer` when main runs without the login flow (tests, harness). */
export const proxyLoginUnavailable = async (): Promise<IpcResult<ProxyAuthAnswered>> =>
  fail('proxy-login-unavailable', 'Proxy sign-in is not available here.');

/**
 * Chromium's WebRTC opens its TURN-TCP/TLS tunnels without ever prompting: on a 407 it only reuses
 * credentials the browser already holds for that proxy (seen in the lab: the in-app TLS relay
 * fails through an authenticating squid until one page load has signed in, then relays through
 * it). So before the in-app suite, main makes one ordinary request through Chromium's proxy: a
 * challenge on it reaches `app.on('login')` and the prompt, and the answer is then in Chromium's
 * cache for the relay tests. Nothing is sent when Chromium goes DIRECT; the request is bounded by
 * `budgetMs` (the suite waits for it) and its answer is ignored — only the sign-in matters.
 */
export async function primeProxySignIn(
  url: string,
  deps: {
    resolveProxy(url: string): Promise<string>;
    fetch(url: string, init: { method: string; signal: AbortSignal }): Promise<unknown>;
  },
  budgetMs = 15_000,
): Promise<'direct' | 'signed-in-or-open' | 'timeout' | 'failed'> {
  const proxies = await deps.resolveProxy(url).then(proxiesIn, () => [] as string[]);
  if (proxies.length === 0) return 'direct';
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), budgetMs);
  try {
    await deps.fetch(url, { method: 'HEAD', signal: ctrl.signal });
    return 'signed-in-or-open';
  } catch {
    return ctrl.signal.aborted ? 'timeout' : 'failed';
  } finally {
    clearTimeout(timer);
  }
}
