import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProxyAuthAnswerRequestSchema, type ProxyAuthPrompt } from '#common/ipc/proxy-auth';
import { createProxyLogin, primeProxySignIn, proxiesIn, type LoginAuthInfo } from '#main/proxy-login';
import {
  app,
  BrowserWindow,
  fakeEvent,
  FakeWebContents,
  fakeInvokeEvent,
  ipcMain,
  resetElectronMock,
  session,
} from './electron-mock';

vi.mock('electron', () => import('./electron-mock'));

const proxyInfo = (over: Partial<LoginAuthInfo> = {}): LoginAuthInfo => ({
  isProxy: true,
  scheme: 'basic',
  host: '10.0.0.1',
  port: 3128,
  realm: 'Corp',
  ...over,
});
const details = { url: 'https://turn.example.com:443/' };
/** Electron's login event as proxy-login.ts types it (the mock's vi.fn is not a plain signature). */
const ev = () => fakeEvent({}) as unknown as { preventDefault(): void; defaultPrevented(): boolean };
const tick = () => new Promise((r) => setTimeout(r, 0));
const answer = (id: string, username = 'alice', password = 's3cret', remember = false) =>
  ProxyAuthAnswerRequestSchema.parse({ id, cancel: false, username, password, remember });

function setup(resolved = 'PROXY 10.0.0.1:3128; DIRECT') {
  const prompts: ProxyAuthPrompt[] = [];
  const resolveProxy = vi.fn(async (_url: string) => resolved);
  let n = 0;
  const login = createProxyLogin({
    resolveProxy,
    ask: (p) => prompts.push(p),
    isOwnWebContents: (id) => id === 1,
    newId: () => `prompt-000${++n}`,
    promptTimeoutMs: 50,
    log: () => undefined,
  });
  const own = { id: 1 };
  return { login, prompts, resolveProxy, own };
}

describe('proxy sign-in decided in main', () => {
  it('asks the page for a proxy challenge from its own window, and passes the answer to Chromium', async () => {
    const { login, prompts, resolveProxy, own } = setup();
    const event = ev();
    const cb = vi.fn();
    login.onLogin(event, own, details, proxyInfo(), cb);
    expect(event.defaultPrevented()).toBe(true);
    await tick();
    expect(resolveProxy).toHaveBeenCalledWith(details.url);
    expect(prompts).toEqual([
      { id: 'prompt-0001', proxy: '10.0.0.1:3128', scheme: 'basic', realm: 'Corp', retry: false },
    ]);
    expect(cb).not.toHaveBeenCalled();
    expect(await login.answer(answer('prompt-0001'))).toEqual({ ok: true, value: { accepted: true } });
    expect(cb).toHaveBeenCalledWith('alice', 's3cret');
    // A second answer to the same prompt is not accepted and calls nothing.
    expect(await login.answer(answer('prompt-0001'))).toEqual({ ok: true, value: { accepted: false } });
    expect(cb).toHaveBeenCalledTimes(1);
    expect(login.records()).toEqual([
      { proxy: '10.0.0.1:3128', scheme: 'basic', prompted: 1, answered: true, rejected: false },
    ]);
  });

  it("never answers a web server (401), another app's contents, or a host that is not the resolved proxy", async () => {
    const { login, prompts, own } = setup();
    const server = ev();
    login.onLogin(server, own, details, proxyInfo({ isProxy: false }), vi.fn());
    expect(server.defaultPrevented()).toBe(false);
    const stranger = ev();
    login.onLogin(stranger, { id: 99 }, details, proxyInfo(), vi.fn());
    expect(stranger.defaultPrevented()).toBe(false);
    const noContents = ev();
    login.onLogin(noContents, null, details, proxyInfo(), vi.fn());
    expect(noContents.defaultPrevented()).toBe(false);
    for (const other of [proxyInfo({ host: '10.0.0.2' }), proxyInfo({ port: 8080 })]) {
      const cb = vi.fn();
      login.onLogin(ev(), own, details, other, cb);
      await tick();
      expect(cb).toHaveBeenCalledWith(); // cancelled: no credentials to a host main did not choose
    }
    expect(prompts).toEqual([]);
  });

  it('a DIRECT answer means no proxy may get credentials', async () => {
    const { login, prompts, own } = setup('DIRECT');
    const cb = vi.fn();
    login.onLogin(ev(), own, details, proxyInfo(), cb);
    await tick();
    expect(cb).toHaveBeenCalledWith();
    expect(prompts).toEqual([]);
  });

  it('nothing is kept unless the user asks; a remembered answer is reused once, then dropped when the proxy rejects it', async () => {
    const { login, prompts, own } = setup();
    const cb1 = vi.fn();
    login.onLogin(ev(), own, details, proxyInfo(), cb1);
    await tick();
    await login.answer(answer(prompts[0]!.id));
    // Not remembered: the next challenge (after an answer) is treated as a rejection and asks again.
    const cb2 = vi.fn();
    login.onLogin(ev(), own, details, proxyInfo(), cb2);
    await tick();
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toMatchObject({ retry: true });
    await login.answer(answer(prompts[1]!.id, 'alice', 'right', true));
    expect(cb2).toHaveBeenCalledWith('alice', 'right');
    login.clear();
    const cb3 = vi.fn();
    login.onLogin(ev(), own, details, proxyInfo(), cb3);
    await tick();
    expect(prompts).toHaveLength(3); // cleared: asked again
    await login.answer(answer(prompts[2]!.id, 'bob', 'pw', true));
    const cb4 = vi.fn();
    // Remembered, but a challenge right after an answer means it was rejected: forget and ask.
    login.onLogin(ev(), own, details, proxyInfo(), cb4);
    await tick();
    expect(cb4).not.toHaveBeenCalled();
    expect(prompts).toHaveLength(4);
    expect(login.records()[0]).toMatchObject({ rejected: true });
  });

  it('concurrent challenges from one proxy share one prompt; cancel and timeout cancel every waiter', async () => {
    const { login, prompts, own } = setup();
    const a = vi.fn();
    const b = vi.fn();
    login.onLogin(ev(), own, details, proxyInfo(), a);
    login.onLogin(ev(), own, details, proxyInfo(), b);
    await tick();
    expect(prompts).toHaveLength(1);
    await login.answer({ id: prompts[0]!.id, cancel: true });
    expect(a).toHaveBeenCalledWith();
    expect(b).toHaveBeenCalledWith();
    const c = vi.fn();
    login.onLogin(ev(), own, details, proxyInfo({ realm: 'other' }), c);
    await new Promise((r) => setTimeout(r, 120));
    expect(c).toHaveBeenCalledWith();
  });

  it("reads every PROXY/HTTPS entry of Chromium's answer, IPv6 in brackets", () => {
    expect(proxiesIn('PROXY Proxy.Corp:3128; HTTPS [fd00::1]:443; SOCKS5 s:1080; DIRECT')).toEqual([
      'proxy.corp:3128',
      '[fd00::1]:443',
    ]);
    expect(proxiesIn('DIRECT')).toEqual([]);
  });

  it('the answer payload is validated: an empty user name or unknown field is refused', () => {
    expect(
      ProxyAuthAnswerRequestSchema.safeParse({ id: 'prompt-0001', cancel: false, username: '', password: 'x' }).success,
    ).toBe(false);
    expect(ProxyAuthAnswerRequestSchema.safeParse({ id: 'prompt-0001', cancel: true, username: 'x' }).success).toBe(
      false,
    );
    expect(ProxyAuthAnswerRequestSchema.safeParse({ id: '../etc', cancel: true }).success).toBe(false);
  });
});

describe("priming Chromium's proxy sign-in before the WebRTC suite", () => {
  it('DIRECT: nothing is sent', async () => {
    const fetch = vi.fn(async () => undefined);
    expect(await primeProxySignIn('https://turn.example.com:443/', { resolveProxy: async () => 'DIRECT', fetch })).toBe(
      'direct',
    );
    expect(fetch).not.toHaveBeenCalled();
  });
  it('through a proxy: one HEAD request (its answer or error does not matter), bounded by the budget', async () => {
    const fetch = vi.fn(async (_u: string, _i: { method: string; signal: AbortSignal }) => ({ status: 502 }));
    expect(
      await primeProxySignIn('https://turn.example.com:443/', {
        resolveProxy: async () => 'PROXY 10.0.0.1:3128',
        fetch,
      }),
    ).toBe('signed-in-or-open');
    expect(fetch).toHaveBeenCalledWith('https://turn.example.com:443/', expect.objectContaining({ method: 'HEAD' }));
    const failing = vi.fn(async () => {
      throw new Error('net::ERR_TUNNEL_CONNECTION_FAILED');
    });
    expect(await primeProxySignIn('https://t/', { resolveProxy: async () => 'PROXY p:1', fetch: failing })).toBe(
      'failed',
    );
    let seen: AbortSignal | undefined;
    const hanging = (_u: string, i: { signal: AbortSignal }) =>
      new Promise<never>((_r, reject) => {
        seen = i.signal;
        i.signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    expect(await primeProxySignIn('https://t/', { resolveProxy: async () => 'PROXY p:1', fetch: hanging }, 30)).toBe(
      'timeout',
    );
    expect(seen?.aborted).toBe(true);
  });
});

describe('main wires the login event to its window and the proxy-auth:answer channel', () => {
  beforeAll(async () => {
    resetElectronMock();
    await import('#main/index');
    await tick();
  });
  beforeEach(() => {
    session.defaultSession.proxyAnswer = 'PROXY 10.0.0.1:3128';
  });

  it('a proxy challenge reaches the window as proxy-auth:request; its answer goes back to Chromium', async () => {
    const win = BrowserWindow.created[0]!;
    const event = fakeEvent({});
    const cb = vi.fn();
    app.emit('login', event, win.webContents, details, proxyInfo(), cb);
    expect(event.defaultPrevented()).toBe(true);
    await tick();
    const sent = win.webContents.send.mock.calls.find(([channel]) => channel === 'proxy-auth:request');
    expect(sent).toBeDefined();
    const prompt = sent![1] as ProxyAuthPrompt;
    expect(prompt).toMatchObject({ proxy: '10.0.0.1:3128', scheme: 'basic', realm: 'Corp' });
    // Another page may not answer; the window may.
    const stranger = await ipcMain.handlers.get('proxy-auth:answer')!(fakeInvokeEvent(new FakeWebContents()), {
      id: prompt.id,
      cancel: false,
      username: 'x',
      password: 'y',
    });
    expect(stranger).toMatchObject({ ok: false });
    const mine = await ipcMain.handlers.get('proxy-auth:answer')!(fakeInvokeEvent(win.webContents), {
      id: prompt.id,
      cancel: false,
      username: 'alice',
      password: 's3cret',
    });
    expect(mine).toEqual({ ok: true, value: { accepted: true } });
    expect(cb).toHaveBeenCalledWith('alice', 's3cret');
  });
});
