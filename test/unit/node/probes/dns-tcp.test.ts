import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { hasCommand } from '#test/support/prereq';
import { addressesOf, resolveHost } from '#node/probes/dns';
import { tcpConnect } from '#node/probes/tcp';
import { reasonForErrno } from '#node/probes/errors';
import { closedPort, connectProxy, silentServer, type TestServer } from './servers';

const errno = (code: string): Error => Object.assign(new Error(code), { code });

describe('resolveHost', () => {
  it('resolves localhost through the system resolver (/etc/hosts), no network', async () => {
    const r = await resolveHost('localhost', { deadlineMs: 3000 });
    expect(r.status).toBe('pass');
    expect(r.evidence.via).toBe('system');
    expect(r.evidence.addresses.some((a) => a.address === '127.0.0.1' || a.address === '::1')).toBe(true);
    expect(Array.isArray(r.evidence.resolvers)).toBe(true);
    expect(r.evidence.durationMs).toBeGreaterThanOrEqual(0);
  });
  it('passes IP literals at once without a lookup', async () => {
    const lookup = async (): Promise<never> => {
      throw new Error('must not be called');
    };
    const r = await resolveHost('::1', { deadlineMs: 10, lookup });
    expect(r).toMatchObject({
      status: 'pass',
      evidence: { via: 'literal', addresses: [{ address: '::1', family: 6 }] },
    });
  });
  it('A and AAAA: every address with its family; a family the name lacks is family-missing, not a DNS failure', async () => {
    const both = async () => [
      { address: '192.0.2.10', family: 4 },
      { address: '2001:db8::10', family: 6 },
      { address: '2001:db8::11', family: 6 },
    ];
    const r = await resolveHost('dual.test', { deadlineMs: 1000, lookup: both });
    expect(r.evidence.addresses).toEqual([
      { address: '192.0.2.10', family: 4 },
      { address: '2001:db8::10', family: 6 },
      { address: '2001:db8::11', family: 6 },
    ]);
    expect(addressesOf(r.evidence, 6)).toEqual(['2001:db8::10', '2001:db8::11']);
    expect(addressesOf(r.evidence, 4)).toEqual(['192.0.2.10']);
    expect((await resolveHost('dual.test', { deadlineMs: 1000, lookup: both, family: 6 })).status).toBe('pass');
    const v4only = await resolveHost('v4.test', {
      deadlineMs: 1000,
      lookup: async () => [{ address: '192.0.2.10', family: 4 }],
      family: 6,
    });
    expect(v4only).toMatchObject({ status: 'fail', reason: 'family-missing' });
    expect(v4only.detail).toMatch(/no IPv6 address \(AAAA record\)/);
    // Evidence read back from a report is checked, not trusted.
    expect(
      addressesOf({ addresses: [{ address: 'not-an-ip', family: 6 }, { address: '192.0.2.1', family: 6 }, 7] }, 6),
    ).toEqual([]);
    expect(addressesOf(undefined, 4)).toEqual([]);
  });
  it('maps ENOTFOUND to nxdomain and EAI_AGAIN to dns-failed, keeping the errno', async () => {
    const nx = await resolveHost('nope.test', {
      deadlineMs: 1000,
      lookup: async () => {
        throw errno('ENOTFOUND');
      },
    });
    expect(nx).toMatchObject({ status: 'fail', reason: 'nxdomain', evidence: { errno: 'ENOTFOUND' } });
    expect(nx.detail).toMatch(/nope\.test does not exist/);
    const again = await resolveHost('slow.test', {
      deadlineMs: 1000,
      lookup: async () => {
        throw errno('EAI_AGAIN');
      },
    });
    expect(again).toMatchObject({ status: 'fail', reason: 'dns-failed', evidence: { errno: 'EAI_AGAIN' } });
  });
  it('times out a lookup that never answers, and reports a cancel as aborted', async () => {
    const hang = (): Promise<never> => new Promise(() => undefined);
    const start = Date.now();
    const r = await resolveHost('hang.test', { deadlineMs: 100, lookup: hang });
    expect(r).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(Date.now() - start).toBeLessThan(100 + 2000);
    const c = new AbortController();
    setTimeout(() => c.abort(), 20);
    expect((await resolveHost('hang.test', { deadlineMs: 5000, signal: c.signal, lookup: hang })).reason).toBe(
      'aborted',
    );
  });
});

describe('tcpConnect', () => {
  let listener: net.Server;
  let port = 0;
  let silent: TestServer;
  let proxy: Awaited<ReturnType<typeof connectProxy>>;
  let authProxy: Awaited<ReturnType<typeof connectProxy>>;
  beforeAll(async () => {
    listener = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    port = (listener.address() as net.AddressInfo).port;
    silent = await silentServer();
    proxy = await connectProxy({ allowPorts: [port] });
    authProxy = await connectProxy({ allowPorts: [port], requireAuth: 'alice:s3cret' });
  });
  afterAll(async () => {
    await new Promise((r) => listener.close(r));
    await silent.close();
    await proxy.close();
    await authProxy.close();
  });

  it('passes with the connect time as rtt', async () => {
    const r = await tcpConnect('127.0.0.1', port, { deadlineMs: 2000 });
    expect(r).toMatchObject({ status: 'pass', reason: 'ok', evidence: { via: 'direct', remoteAddress: '127.0.0.1' } });
    expect(r.rttMs).toBeGreaterThanOrEqual(0);
  });
  it('refused when nothing listens', async () => {
    const r = await tcpConnect('127.0.0.1', await closedPort(), { deadlineMs: 2000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'refused', evidence: { errno: 'ECONNREFUSED' } });
    expect(r.detail).toMatch(/refused/);
  });
  it('connects through a CONNECT proxy, and names the proxy when it refuses', async () => {
    const proxyEp = { host: '127.0.0.1', port: proxy.port };
    expect(await tcpConnect('127.0.0.1', port, { deadlineMs: 2000, proxy: proxyEp })).toMatchObject({
      status: 'pass',
      evidence: { via: 'proxy' },
    });
    const r = await tcpConnect('127.0.0.1', 3478, { deadlineMs: 2000, proxy: proxyEp });
    expect(r).toMatchObject({ status: 'fail', reason: 'proxy-refused', evidence: { proxyStatus: 403 } });
    expect(r.detail).toMatch(/403 Forbidden/);
  });
  it('a proxy answering 407 is proxy-auth-required with the scheme, and says plainly that no credentials were given', async () => {
    const r = await tcpConnect('127.0.0.1', port, {
      deadlineMs: 2000,
      proxy: { host: '127.0.0.1', port: authProxy.port },
    });
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'proxy-auth-required',
      evidence: { proxyStatus: 407, proxyAuth: { schemes: ['Basic'], credentialsSent: false } },
    });
    expect(r.detail).toMatch(/needs your credentials.*\(it asks for Basic\).*none were given/);
    expect(
      await tcpConnect('127.0.0.1', port, {
        deadlineMs: 2000,
        proxy: { host: '127.0.0.1', port: authProxy.port, auth: 'alice:s3cret' },
      }),
    ).toMatchObject({ status: 'pass' });
  });
  it('works over IPv6 loopback, and brackets IPv6 targets in CONNECT', async () => {
    const v6 = net.createServer((c) => c.destroy());
    const ok = await new Promise<boolean>((r) => {
      v6.once('error', () => r(false));
      v6.listen(0, '::1', () => r(true));
    });
    if (!ok) return; // no ::1 on this host
    try {
      const p6 = (v6.address() as net.AddressInfo).port;
      expect(await tcpConnect('::1', p6, { deadlineMs: 2000 })).toMatchObject({
        status: 'pass',
        evidence: { remoteAddress: '::1' },
      });
      await tcpConnect('::1', 3478, { deadlineMs: 2000, proxy: { host: '127.0.0.1', port: proxy.port } });
      expect(proxy.requests.at(-1)).toBe('CONNECT [::1]:3478 HTTP/1.1');
    } finally {
      await new Promise((r) => v6.close(r));
    }
  });
  it('an aborted signal gives aborted, not timeout', async () => {
    const r = await tcpConnect('127.0.0.1', port, { deadlineMs: 2000, signal: AbortSignal.abort() });
    expect(r.reason).toBe('aborted');
  });
  it('maps errno codes to reasons', () => {
    expect(reasonForErrno('ECONNRESET')).toBe('reset');
    expect(reasonForErrno('EPERM')).toBe('local-blocked');
    expect(reasonForErrno('EACCES')).toBe('local-blocked');
    expect(reasonForErrno('EHOSTUNREACH')).toBe('unreachable');
    expect(reasonForErrno('ENETUNREACH')).toBe('unreachable');
    expect(reasonForErrno('ENOTFOUND')).toBe('nxdomain');
    expect(reasonForErrno('EAI_AGAIN')).toBe('dns-failed');
    expect(reasonForErrno('ERR_SSL_WRONG_VERSION_NUMBER')).toBe('tls-failed');
    // An unknown code: the caller's fallback (a failed connect is most likely unreachable).
    expect(reasonForErrno('ESOMETHINGNEW')).toBe('unreachable');
    expect(reasonForErrno('ESOMETHINGNEW', 'protocol-error')).toBe('protocol-error');
  });
});

/** A listener with a full accept queue (python, backlog 0, never accepts): the kernel drops further SYNs. */
const FULL_QUEUE = [
  'import socket,sys,time',
  "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0)",
  'print(s.getsockname()[1], flush=True)',
  'sys.stdin.read()',
].join('\n');

describe.skipIf(!hasCommand('python3'))('tcpConnect when SYNs go unanswered', () => {
  it('times out inside its deadline and destroys the socket', async () => {
    const child = spawn('python3', ['-c', FULL_QUEUE], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
        child.once('exit', () => reject(new Error('helper exited')));
      });
      const first = await tcpConnect('127.0.0.1', port, { deadlineMs: 1000 }); // fills the queue
      expect(first.status).toBe('pass');
      const start = Date.now();
      const r = await tcpConnect('127.0.0.1', port, { deadlineMs: 300 });
      expect(r).toMatchObject({ status: 'fail', reason: 'timeout' });
      expect(r.detail).toMatch(/300 ms/);
      expect(Date.now() - start).toBeLessThan(300 + 2000);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});
