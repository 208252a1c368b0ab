import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createRendererRequestHandler } from '#main/security/app-protocol';
import { createBridge } from '#preload/bridge';
import { OUT } from './built-app';

/**
 * Helpers for driving the built renderer in Chromium with the preload's own `createBridge`
 * injected as source: over a Playwright binding (in-process harness), or over HTTP to a harness
 * server (the lab e2e, where the handlers run in another network namespace).
 */

/** Serves out/renderer through createRendererRequestHandler (the app:// handler) on host:<random>. */
export async function serveRenderer(host = '127.0.0.1'): Promise<{ server: Server; origin: string }> {
  const handle = createRendererRequestHandler(resolve(OUT, 'renderer'));
  const server = createServer(async (req, res) => {
    const response = await handle(new Request(`app://pathcheck${req.url ?? '/'}`, { method: req.method }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((ok) => server.listen(0, host, ok));
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}` };
}

/** `window.pathcheck` over a Playwright binding `__pathcheckInvoke`; events arrive via `__pathcheckEmit`. */
export function bindingBridgeScript(): string {
  return `(() => {
    const createBridge = ${createBridge.toString()};
    const listeners = new Map();
    window.__pathcheckEmit = (channel, payload) => { for (const l of listeners.get(channel) ?? []) l(payload); };
    window.pathcheck = createBridge({
      invoke: (channel, payload) => window.__pathcheckInvoke(channel, payload),
      subscribe: (channel, listener) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(listener);
        return () => { listeners.get(channel).delete(listener); };
      },
    });
  })();`;
}

/**
 * `window.pathcheck` over HTTP to the page's own origin: POST /__ipc/invoke for requests and an
 * EventSource on /__ipc/events for main's events (same origin, so the app's CSP allows both).
 */
export function httpBridgeScript(): string {
  return `(() => {
    const createBridge = ${createBridge.toString()};
    const listeners = new Map();
    const source = new EventSource('/__ipc/events');
    source.onmessage = (m) => {
      const { channel, payload } = JSON.parse(m.data);
      for (const l of listeners.get(channel) ?? []) l(payload);
    };
    window.pathcheck = createBridge({
      invoke: async (channel, payload) => {
        const r = await fetch('/__ipc/invoke', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, payload }) });
        return r.json();
      },
      subscribe: (channel, listener) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(listener);
        return () => { listeners.get(channel).delete(listener); };
      },
    });
  })();`;
}

export { CHROMIUM_ARGS } from '#node/report/pdf';
