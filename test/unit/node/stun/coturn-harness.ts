/**
 * Starts a real coturn on loopback for the tests: random free ports, a test CA made with openssl in a
 * temp dir, a static long-term user. Always `-n` (ignore /etc/turnserver.conf: Debian's package ships one that would change the server under test).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import net from 'node:net';
import { stunBinding } from '#node/stun/client';

export interface Coturn {
  pid: number;
  /** UDP+TCP listening port on 127.0.0.1 (and 127.0.0.2 when rfc5780). */
  port: number;
  tlsPort: number;
  altPort: number;
  relayRange: [number, number];
  caPem: string;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

export interface CoturnOptions {
  /** Listen on 127.0.0.1 and 127.0.0.2: coturn turns RFC 5780 on by itself (OTHER-ADDRESS). */
  rfc5780?: boolean;
  /** Allow relaying to 127.x peers (needed by the relay probe on loopback). */
  allowLoopbackPeers?: boolean;
  /** Also listen and relay on ::1 (dual stack): IPv6 clients, and IPv6 relays (REQUESTED-ADDRESS-FAMILY). */
  ipv6?: boolean;
  extra?: string[];
}

async function udpFree(address: string, port: number): Promise<boolean> {
  const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, address, () => {
      s.close();
      resolve(true);
    });
  });
}

async function tcpFree(address: string, port: number): Promise<boolean> {
  const srv = net.createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
}

async function freeBlock(count: number, addresses: string[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) {
      for (const a of addresses) if (!(await udpFree(a, p)) || !(await tcpFree(a, p))) ok = false;
    }
    if (ok) return base;
  }
  throw new Error('no free port block found');
}

export function makeTestCa(dir: string): { caPem: string; cert: string; key: string } {
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Pathcheck Test CA');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=turn.lab.test');
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,IP:::1,DNS:turn.lab.test\nbasicConstraints=CA:FALSE\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  return {
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server.key'),
  };
}

export async function startCoturn(opts: CoturnOptions = {}): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'pathcheck-coturn-'));
  const ca = makeTestCa(dir);
  const addresses = [...(opts.rfc5780 ? ['127.0.0.1', '127.0.0.2'] : ['127.0.0.1']), ...(opts.ipv6 ? ['::1'] : [])];
  const relayIps = opts.ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
  const base = await freeBlock(4, addresses); // port, alt port, tls port, alt tls port
  const relayBase = await freeBlock(1, relayIps);
  const relayRange: [number, number] = [relayBase, relayBase + 15];
  const args = [
    '-n',
    ...addresses.flatMap((a) => ['--listening-ip', a]),
    ...relayIps.flatMap((a) => ['--relay-ip', a]),
    '--listening-port',
    String(base),
    '--alt-listening-port',
    String(base + 1),
    '--tls-listening-port',
    String(base + 2),
    '--alt-tls-listening-port',
    String(base + 3),
    '--min-port',
    String(relayRange[0]),
    '--max-port',
    String(relayRange[1]),
    '--realm',
    'lab',
    '--user',
    'u:p',
    '-a',
    '--cert',
    ca.cert,
    '--pkey',
    ca.key,
    '--no-cli',
    '--no-dtls',
    '--log-file',
    'stdout',
    '--simple-log',
    '--pidfile',
    join(dir, 'turnserver.pid'),
    '--userdb',
    join(dir, 'turndb'), // not the shared /var/lib/turn/turndb
    ...(opts.allowLoopbackPeers ? ['--allow-loopback-peers'] : []),
    ...(opts.extra ?? []),
  ];
  const child: ChildProcess = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (!exited && child.pid) process.kill(child.pid, 'SIGTERM');
    const t = setTimeout(() => {
      if (!exited && child.pid) process.kill(child.pid, 'SIGKILL');
    }, 5000);
    await exit;
    clearTimeout(t);
    child.stdout?.destroy();
    child.stderr?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when UDP Binding answers and the TLS port accepts.
  const until = Date.now() + 15000;
  for (;;) {
    if (exited) throw new Error(`turnserver exited at start:\n${out.slice(-3000)}`);
    const b = await stunBinding({ host: '127.0.0.1', port: base, transport: 'udp' }, { deadlineMs: 300 });
    const tlsUp = await new Promise<boolean>((resolve) => {
      const s = net.connect(base + 2, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => {
        s.destroy();
        resolve(false);
      });
    });
    if (b.status === 'pass' && tlsUp) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`turnserver did not come up:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid!,
    port: base,
    altPort: base + 1,
    tlsPort: base + 2,
    relayRange,
    caPem: ca.caPem,
    dir,
    log: () => out,
    stop,
  };
}
