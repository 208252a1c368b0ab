import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnAllocate } from '#node/stun/turn';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { connectProxy, type TestServer } from '../probes/servers';
import { startCoturn, type Coturn } from './coturn-harness';

const skip = missingPrereqs('TURN through an HTTP proxy', [prereqs.coturn, prereqs.openssl]);
describe.skipIf(skip)('TURN over TCP/TLS through a CONNECT proxy (as Chromium sends it)', () => {
  let coturn: Coturn;
  let proxy: TestServer & { requests: string[] };
  let authProxy: TestServer & { requests: string[] };
  beforeAll(async () => {
    coturn = await startCoturn();
    proxy = await connectProxy({ allowPorts: [coturn.tlsPort] });
    authProxy = await connectProxy({ allowPorts: [coturn.tlsPort], requireAuth: 'alice:s3cret' });
  });
  afterAll(async () => {
    await proxy?.close();
    await authProxy?.close();
    await coturn?.stop();
  });

  it('TURN-TLS allocates through the tunnel; the proxy saw the CONNECT', async () => {
    const r = await turnAllocate(
      { host: '127.0.0.1', port: coturn.tlsPort, transport: 'tls' },
      {
        username: 'u',
        credential: 'p',
        deadlineMs: 3000,
        tls: { ca: coturn.caPem },
        proxy: { host: '127.0.0.1', port: proxy.port },
      },
    );
    expect(r.status, r.detail).toBe('pass');
    expect(r.reason).toBe('allocated');
    expect(r.evidence.tls).toMatchObject({ via: 'proxy', authorized: true });
    expect(proxy.requests.some((q) => q.startsWith(`CONNECT 127.0.0.1:${coturn.tlsPort}`))).toBe(true);
  });

  it('a proxy that refuses the port gives proxy-refused, naming the proxy answer', async () => {
    const r = await turnAllocate(
      { host: '127.0.0.1', port: coturn.port, transport: 'tcp' },
      {
        deadlineMs: 3000,
        proxy: { host: '127.0.0.1', port: proxy.port },
      },
    );
    expect(r).toMatchObject({ status: 'fail', reason: 'proxy-refused' });
    expect(r.detail).toMatch(/proxy refused/i);
  });

  it('a proxy asking for credentials gives proxy-auth-required (not a refusal), naming the proxy and scheme; with them TURN-TLS allocates', async () => {
    const ep = { host: '127.0.0.1', port: coturn.tlsPort, transport: 'tls' } as const;
    const r = await turnAllocate(ep, {
      username: 'u',
      credential: 'p',
      deadlineMs: 3000,
      tls: { ca: coturn.caPem },
      proxy: { host: '127.0.0.1', port: authProxy.port },
    });
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'proxy-auth-required',
      evidence: { proxyAuth: { proxy: `127.0.0.1:${authProxy.port}`, schemes: ['Basic'], credentialsSent: false } },
    });
    expect(r.detail).toMatch(/needs your credentials .*Basic.*none were given/);
    const ok = await turnAllocate(ep, {
      username: 'u',
      credential: 'p',
      deadlineMs: 3000,
      tls: { ca: coturn.caPem },
      proxy: { host: '127.0.0.1', port: authProxy.port, auth: 'alice:s3cret' },
    });
    expect(ok.status, ok.detail).toBe('pass');
  });
});
