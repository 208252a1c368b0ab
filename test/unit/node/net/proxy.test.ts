import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  noProxyMatches,
  openTunnel,
  parseProxyAuthenticate,
  parseProxyUrl,
  proxyFromEnv,
  ProxyError,
} from '#node/net/proxy';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { closedPort, connectProxy, silentServer, type TestServer } from '../probes/servers';

describe('proxyFromEnv', () => {
  const T = 'https://turn.example.com:443';
  it('uses HTTPS_PROXY / https_proxy for https targets, lower case first', () => {
    expect(proxyFromEnv({ HTTPS_PROXY: 'http://p.corp:3128' }, T)).toEqual({
      url: 'http://p.corp:3128',
      host: 'p.corp',
      port: 3128,
      source: 'env:HTTPS_PROXY',
    });
    expect(proxyFromEnv({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'lower:2' }, T)).toMatchObject({
      host: 'lower',
      port: 2,
      source: 'env:https_proxy',
    });
  });
  it('falls back to ALL_PROXY, ignores HTTP_PROXY for https, and skips SOCKS', () => {
    expect(proxyFromEnv({ HTTP_PROXY: 'http://h:1' }, T)).toBeNull();
    expect(proxyFromEnv({ ALL_PROXY: 'http://a:8080' }, T)).toMatchObject({
      host: 'a',
      port: 8080,
      source: 'env:ALL_PROXY',
    });
    expect(proxyFromEnv({ HTTPS_PROXY: 'socks5://s:1080' }, T)).toBeNull();
    expect(proxyFromEnv({ HTTP_PROXY: 'http://h:1' }, 'http://x.test/')).toMatchObject({
      host: 'h',
      source: 'env:HTTP_PROXY',
    });
    expect(proxyFromEnv({}, T)).toBeNull();
  });
  it('honours NO_PROXY: *, exact host, .suffix, bare suffix, host:port', () => {
    const env = { HTTPS_PROXY: 'http://p:3128' };
    expect(proxyFromEnv({ ...env, NO_PROXY: '*' }, T)).toBeNull();
    expect(proxyFromEnv({ ...env, NO_PROXY: 'turn.example.com' }, T)).toBeNull();
    expect(proxyFromEnv({ ...env, no_proxy: 'localhost, .example.com' }, T)).toBeNull();
    expect(proxyFromEnv({ ...env, NO_PROXY: 'example.com' }, T)).toBeNull();
    expect(proxyFromEnv({ ...env, NO_PROXY: 'ample.com' }, T)).not.toBeNull();
    expect(proxyFromEnv({ ...env, NO_PROXY: 'turn.example.com:3478' }, T)).not.toBeNull();
    expect(proxyFromEnv({ ...env, NO_PROXY: 'turn.example.com:443' }, T)).toBeNull();
    expect(proxyFromEnv({ ...env, NO_PROXY: 'other.org' }, T)).not.toBeNull();
  });
  it('matches IPv6 NO_PROXY entries and parses credentials', () => {
    expect(noProxyMatches('::1', '::1', 443)).toBe(true);
    expect(noProxyMatches('[::1]:443', '::1', 443)).toBe(true);
    expect(noProxyMatches('[::1]:80', '::1', 443)).toBe(false);
    expect(parseProxyUrl('http://u%40x:p@proxy:8080')).toEqual({
      url: 'http://proxy:8080',
      host: 'proxy',
      port: 8080,
      auth: 'u@x:p',
    });
    expect(parseProxyUrl('proxy')).toMatchObject({ host: 'proxy', port: 80 });
    expect(parseProxyUrl('http://[::1]:3128')).toMatchObject({ host: '::1', port: 3128 });
  });
});

/** A TCP server that greets, to prove bytes flow through the tunnel. */
async function greeter(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    c.end('hello\n');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return {
    port: (s.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const c of sockets) c.destroy();
        s.close(() => r());
      }),
  };
}

async function readAll(sock: net.Socket): Promise<string> {
  sock.resume();
  let out = '';
  for await (const chunk of sock) out += String(chunk);
  return out;
}

describe('openTunnel against a small CONNECT proxy', () => {
  let target: Awaited<ReturnType<typeof greeter>>;
  let proxy: Awaited<ReturnType<typeof connectProxy>>;
  let authProxy: Awaited<ReturnType<typeof connectProxy>>;
  let badGateway: Awaited<ReturnType<typeof connectProxy>>;
  let silent: TestServer;
  beforeAll(async () => {
    target = await greeter();
    proxy = await connectProxy({ allowPorts: [target.port] });
    authProxy = await connectProxy({ allowPorts: [target.port], requireAuth: 'alice:s3cret' });
    badGateway = await connectProxy({ allowPorts: [], deny: '502 Bad Gateway' });
    silent = await silentServer();
  });
  afterAll(async () => {
    await Promise.all([target.close(), proxy.close(), authProxy.close(), badGateway.close(), silent.close()]);
  });

  it('opens a tunnel and bytes flow through it', async () => {
    const sock = await openTunnel(
      { host: '127.0.0.1', port: proxy.port },
      { host: '127.0.0.1', port: target.port },
      { deadlineMs: 2000 },
    );
    expect(await readAll(sock)).toBe('hello\n');
    sock.destroy();
    expect(proxy.requests.at(-1)).toBe(`CONNECT 127.0.0.1:${target.port} HTTP/1.1`);
  });

  it('a 403 is a ProxyError with status 403 and reason proxy-refused', async () => {
    const err = await openTunnel(
      { host: '127.0.0.1', port: proxy.port },
      { host: '127.0.0.1', port: 25 },
      { deadlineMs: 2000 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect(err).toMatchObject({ status: 403, reason: 'proxy-refused', statusLine: 'HTTP/1.1 403 Forbidden' });
  });

  it('407 without credentials is proxy-auth-required naming the proxy and scheme; a tunnel with them', async () => {
    const p = { host: '127.0.0.1', port: authProxy.port };
    await expect(openTunnel(p, { host: '127.0.0.1', port: target.port }, { deadlineMs: 2000 })).rejects.toMatchObject({
      status: 407,
      reason: 'proxy-auth-required',
      challenge: { proxy: `127.0.0.1:${authProxy.port}`, schemes: ['Basic'], realm: 't', credentialsSent: false },
    });
    await expect(
      openTunnel({ ...p, auth: 'alice:wrong' }, { host: '127.0.0.1', port: target.port }, { deadlineMs: 2000 }),
    ).rejects.toMatchObject({
      status: 407,
      reason: 'proxy-auth-required',
      challenge: { credentialsSent: true },
    });
    const sock = await openTunnel(
      { ...p, auth: 'alice:s3cret' },
      { host: '127.0.0.1', port: target.port },
      { deadlineMs: 2000 },
    );
    expect(await readAll(sock)).toBe('hello\n');
  });

  it('other statuses are proxy-failed', async () => {
    await expect(
      openTunnel({ host: '127.0.0.1', port: badGateway.port }, { host: '127.0.0.1', port: 1 }, { deadlineMs: 2000 }),
    ).rejects.toMatchObject({ status: 502, reason: 'proxy-failed' });
  });

  it('an unreachable proxy is proxy-failed with the errno', async () => {
    const port = await closedPort();
    await expect(
      openTunnel({ host: '127.0.0.1', port }, { host: '127.0.0.1', port: 443 }, { deadlineMs: 2000 }),
    ).rejects.toMatchObject({ reason: 'proxy-failed', errno: 'ECONNREFUSED' });
  });

  it('a silent proxy times out within the deadline; an abort is reported as such', async () => {
    const start = Date.now();
    await expect(
      openTunnel({ host: '127.0.0.1', port: silent.port }, { host: '127.0.0.1', port: 443 }, { deadlineMs: 150 }),
    ).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - start).toBeLessThan(150 + 2000);
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 30);
    await expect(
      openTunnel(
        { host: '127.0.0.1', port: silent.port },
        { host: '127.0.0.1', port: 443 },
        { deadlineMs: 5000, signal: ctrl.signal },
      ),
    ).rejects.toMatchObject({ reason: 'aborted' });
  });
});

const squidSkip = missingPrereqs('proxy: real squid on loopback', [prereqs.squid]);

describe.skipIf(squidSkip !== null)('openTunnel through a real squid', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  let squidPort = 0;
  let target: Awaited<ReturnType<typeof greeter>>;

  beforeAll(async () => {
    target = await greeter();
    squidPort = await closedPort();
    dir = mkdtempSync(join(tmpdir(), 'pc-squid-'));
    chmodSync(dir, 0o777); // squid drops to the `proxy` user when started as root
    const conf = join(dir, 'squid.conf');
    writeFileSync(
      conf,
      [
        `http_port 127.0.0.1:${squidPort}`,
        'pinger_enable off',
        `pid_filename ${join(dir, 'squid.pid')}`,
        `cache_log ${join(dir, 'cache.log')}`,
        `access_log stdio:${join(dir, 'access.log')}`,
        `coredump_dir ${dir}`,
        'cache deny all',
        'visible_hostname pathcheck-test',
        'shutdown_lifetime 0 seconds',
        `acl SSL_ports port 443 ${target.port}`,
        'acl CONNECT method CONNECT',
        'http_access deny CONNECT !SSL_ports',
        'http_access allow localhost',
        'http_access deny all',
        '',
      ].join('\n'),
    );
    child = spawn('squid', ['-N', '-f', conf], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const up = await new Promise<boolean>((r) => {
        const s = net.connect({ host: '127.0.0.1', port: squidPort }, () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (up) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`squid did not start (see ${dir}/cache.log)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await target?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('tunnels to an allowed port and answers 403 to CONNECT elsewhere', async () => {
    const proxy = { host: '127.0.0.1', port: squidPort };
    const sock = await openTunnel(proxy, { host: '127.0.0.1', port: target.port }, { deadlineMs: 5000 });
    expect(await readAll(sock)).toBe('hello\n');
    const err = await openTunnel(proxy, { host: '127.0.0.1', port: 3478 }, { deadlineMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ status: 403, reason: 'proxy-refused' });
  });
});

describe('parseProxyAuthenticate', () => {
  const head = (...lines: string[]) => ['HTTP/1.1 407 Proxy Authentication Required', ...lines].join('\r\n');
  it('names every scheme offered, across repeated headers and comma lists, in order', () => {
    expect(
      parseProxyAuthenticate(
        head('Proxy-Authenticate: Negotiate', 'proxy-authenticate: NTLM', 'Proxy-Authenticate: Basic realm="Corp"'),
      ),
    ).toEqual({ schemes: ['Negotiate', 'NTLM', 'Basic'], realm: 'Corp' });
    expect(parseProxyAuthenticate(head('Proxy-Authenticate: Negotiate, NTLM'))).toEqual({
      schemes: ['Negotiate', 'NTLM'],
    });
    expect(
      parseProxyAuthenticate(
        head('Proxy-Authenticate: Digest realm="x", qop="auth,auth-int", nonce="abc", Basic realm="y"'),
      ).schemes,
    ).toEqual(['Digest', 'Basic']);
  });
  it('a comma or scheme name inside a quoted realm is not a scheme; unknown schemes are "other"', () => {
    expect(parseProxyAuthenticate(head('Proxy-Authenticate: Basic realm="NTLM, Negotiate"'))).toEqual({
      schemes: ['Basic'],
      realm: 'NTLM, Negotiate',
    });
    expect(parseProxyAuthenticate(head('Proxy-Authenticate: Kerberos5 foo=bar')).schemes).toEqual(['other']);
  });
  it('ignores other headers and a missing header', () => {
    expect(parseProxyAuthenticate(head('WWW-Authenticate: Basic', 'Content-Length: 0'))).toEqual({ schemes: [] });
    expect(parseProxyAuthenticate('HTTP/1.1 407 x')).toEqual({ schemes: [] });
  });
  it('keeps at most 16 distinct schemes from a hostile header', () => {
    const many = Array.from({ length: 500 }, (_, i) => `X${i}`).join(', ');
    expect(parseProxyAuthenticate(head(`Proxy-Authenticate: Basic, ${many}`)).schemes).toEqual(['Basic', 'other']);
  });
});

describe.skipIf(squidSkip !== null)('openTunnel through a real squid with Basic authentication', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  let squidPort = 0;
  let target: Awaited<ReturnType<typeof greeter>>;

  beforeAll(async () => {
    target = await greeter();
    squidPort = await closedPort();
    dir = mkdtempSync(join(tmpdir(), 'pc-squid-auth-'));
    chmodSync(dir, 0o777);
    // An htpasswd line with an APR1 (MD5) hash, which basic_ncsa_auth reads; made by openssl here.
    const hash = execFileSync('openssl', ['passwd', '-apr1', 's3cret'], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'passwd'), `alice:${hash}\n`, { mode: 0o644 });
    const conf = join(dir, 'squid.conf');
    writeFileSync(
      conf,
      [
        `http_port 127.0.0.1:${squidPort}`,
        'pinger_enable off',
        `pid_filename ${join(dir, 'squid.pid')}`,
        `cache_log ${join(dir, 'cache.log')}`,
        `access_log stdio:${join(dir, 'access.log')}`,
        `coredump_dir ${dir}`,
        'cache deny all',
        'visible_hostname pathcheck-test',
        'shutdown_lifetime 0 seconds',
        `auth_param basic program /usr/lib/squid/basic_ncsa_auth ${join(dir, 'passwd')}`,
        'auth_param basic realm pathcheck-lab',
        'auth_param basic children 1',
        'acl authed proxy_auth REQUIRED',
        `acl SSL_ports port ${target.port}`,
        'acl CONNECT method CONNECT',
        'http_access deny CONNECT !SSL_ports',
        'http_access allow authed',
        'http_access deny all',
        '',
      ].join('\n'),
    );
    child = spawn('squid', ['-N', '-f', conf], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const up = await new Promise<boolean>((r) => {
        const s = net.connect({ host: '127.0.0.1', port: squidPort }, () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (up) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`squid did not start (see ${dir}/cache.log)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await target?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('without credentials: 407 proxy-auth-required asking for Basic; wrong ones: rejected; right ones (user:pass from the URL): a tunnel', async () => {
    const proxy = { host: '127.0.0.1', port: squidPort };
    const to = { host: '127.0.0.1', port: target.port };
    await expect(openTunnel(proxy, to, { deadlineMs: 5000 })).rejects.toMatchObject({
      status: 407,
      reason: 'proxy-auth-required',
      challenge: { schemes: ['Basic'], realm: 'pathcheck-lab', credentialsSent: false },
    });
    await expect(openTunnel({ ...proxy, auth: 'alice:nope' }, to, { deadlineMs: 5000 })).rejects.toMatchObject({
      status: 407,
      reason: 'proxy-auth-required',
      challenge: { credentialsSent: true },
    });
    const fromUrl = parseProxyUrl(`http://alice:s3cret@127.0.0.1:${squidPort}`)!;
    const sock = await openTunnel(fromUrl, to, { deadlineMs: 5000 });
    expect(await readAll(sock)).toBe('hello\n');
  });
});
