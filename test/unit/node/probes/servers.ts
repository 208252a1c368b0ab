import net from 'node:net';
import tls from 'node:tls';

/**
 * Small loopback servers, friendly and hostile, for the probe tests. Every server tracks its
 * accepted sockets and destroys them on close, so handle counts before/after are comparable.
 */
export interface TestServer {
  port: number;
  close: () => Promise<void>;
  connections: () => number;
}

function track(server: net.Server): { sockets: Set<net.Socket>; wrap: (port: number) => TestServer } {
  const sockets = new Set<net.Socket>();
  let total = 0;
  server.on('connection', (s: net.Socket) => {
    total++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  return {
    sockets,
    wrap: (port) => ({
      port,
      connections: () => total,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    }),
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

/** A real TLS server presenting `cert` (PEM chain) for every name. */
export async function tlsServer(keyPem: string, certPem: string): Promise<TestServer> {
  const server = tls.createServer({ key: keyPem, cert: certPem, ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
    s.on('error', () => undefined);
    s.end();
  });
  server.on('tlsClientError', () => undefined);
  const t = track(server);
  return t.wrap(await listen(server));
}

/** Accepts TCP and then says nothing: a TLS handshake against it never completes. */
export async function silentServer(): Promise<TestServer> {
  const server = net.createServer((s) => {
    s.resume(); // read and discard (a ClientHello), so the client's FIN surfaces as 'end'
    s.on('end', () => s.destroy());
  });
  const t = track(server);
  return t.wrap(await listen(server));
}

/** Accepts TCP and answers the first bytes (a ClientHello) with a RST. */
export async function resetServer(): Promise<TestServer> {
  const server = net.createServer((s) => {
    s.once('data', () => s.resetAndDestroy());
  });
  const t = track(server);
  return t.wrap(await listen(server));
}

/** A port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A minimal HTTP CONNECT proxy. Tunnels to 127.0.0.1 targets whose port is in `allowPorts`;
 * answers `deny` (default "403 Forbidden") otherwise. `requireAuth` makes it answer 407 without
 * the right Proxy-Authorization. Records each request line.
 */
export async function connectProxy(opts: {
  allowPorts: number[];
  deny?: string;
  requireAuth?: string;
}): Promise<TestServer & { requests: string[] }> {
  const requests: string[] = [];
  const server = net.createServer((client) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.removeListener('data', onData);
      const head = buf.slice(0, end);
      const [line = ''] = head.split('\r\n');
      requests.push(line);
      const m = /^CONNECT (\S+):(\d+) HTTP\/1\.1$/.exec(line);
      if (
        opts.requireAuth &&
        !head.includes(`Proxy-Authorization: Basic ${Buffer.from(opts.requireAuth).toString('base64')}`)
      ) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="t"\r\n\r\n');
        return;
      }
      if (!m || !opts.allowPorts.includes(Number(m[2]))) {
        client.end(`HTTP/1.1 ${opts.deny ?? '403 Forbidden'}\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      const upstream = net.connect({ host: '127.0.0.1', port: Number(m[2]) });
      upstream.on('error', () => {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      });
      upstream.once('connect', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = buf.slice(end + 4);
        if (rest) upstream.write(Buffer.from(rest, 'latin1'));
        client.pipe(upstream).pipe(client);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    };
    client.on('data', onData);
  });
  const t = track(server);
  return { ...t.wrap(await listen(server)), requests };
}
