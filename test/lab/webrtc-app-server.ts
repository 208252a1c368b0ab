// Runs inside pc-client (`ip netns exec pc-client node jiti webrtc-app-server.ts`), started by
// webrtc-harness.ts (for webrtc-app.test.ts and webrtc-proxy.test.ts): the app's own main-process
// handlers — createHandlers() with the real engine, behind main's validating wrapper — plus the
// built renderer, served on 127.0.0.1:<random> inside the namespace. Chromium (also in pc-client)
// loads the page from here; the injected bridge is the preload's createBridge over HTTP: POST
// /__ipc/invoke for requests, an EventSource on /__ipc/events for main's events. Prints
// `READY <port>` when listening; stops on SIGTERM.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { InvokeChannel } from '#common/ipc/contract';
import { createRendererRequestHandler } from '#main/security/app-protocol';
import { diagnose } from '#node/engine/diagnose';
import { createIpcHarness, type IpcHarness } from '../support/ipc-harness';

const ROOT = resolve(import.meta.dirname, '../..');
const renderer = createRendererRequestHandler(resolve(ROOT, 'out/renderer'));
const streams = new Set<ServerResponse>();
let harness: IpcHarness | null = null;

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1024 * 1024) throw new Error('request too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/__ipc/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.url === '/__ipc/invoke' && req.method === 'POST') {
      const { channel, payload } = JSON.parse(await body(req)) as { channel: InvokeChannel; payload: unknown };
      const result = await harness!.invoke(channel, payload as never);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
      return;
    }
    const response = await renderer(new Request(`app://pathcheck${req.url ?? '/'}`, { method: req.method }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String((e as Error).message));
  }
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  harness = createIpcHarness({ origin: `http://127.0.0.1:${port}`, engine: { diagnose } });
  harness.onEmit = (channel, payload) => {
    const line = `data: ${JSON.stringify({ channel, payload })}\n\n`;
    for (const s of streams) s.write(line);
  };
  process.stdout.write(`READY ${port}\n`);
});

const stop = () => {
  for (const s of streams) s.end();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
