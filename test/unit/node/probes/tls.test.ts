import net from 'node:net';
import tls from 'node:tls';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyTls, tlsHandshake } from '#node/probes/tls';
import type { ChainCert } from '#node/probes/tls';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { makeTestPki, type TestPki } from '#test/support/test-ca';
import { closedPort, connectProxy, resetServer, silentServer, tlsServer, type TestServer } from './servers';

const leaf = (over: Partial<ChainCert> = {}): ChainCert => ({
  subject: 'CN=turn.test',
  issuer: 'CN=Corp Inspection CA, O=Corp',
  subjectCN: 'turn.test',
  issuerCN: 'Corp Inspection CA',
  issuerO: 'Corp',
  validFrom: 'x',
  validTo: 'y',
  fingerprint256: 'AA',
  selfSigned: false,
  ...over,
});

describe('classifyTls (pure)', () => {
  it('untrusted chain → tls-intercepted naming the issuer', () => {
    const c = classifyTls(
      {
        chain: [leaf()],
        authorized: false,
        authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        hostnameError: null,
      },
      'turn.example.com:443',
    );
    expect(c).toMatchObject({ status: 'fail', reason: 'tls-intercepted' });
    expect(c.detail).toBe(
      'TLS to turn.example.com:443 is re-signed by “Corp Inspection CA” — a TLS-inspecting proxy or firewall sits in the path (UNABLE_TO_GET_ISSUER_CERT_LOCALLY).',
    );
  });
  it('falls back to the issuer O when there is no CN', () => {
    expect(
      classifyTls({
        chain: [leaf({ issuerCN: null })],
        authorized: false,
        authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN',
        hostnameError: null,
      }).detail,
    ).toMatch(/“Corp”/);
  });
  it('trusted chain, wrong name → tls-hostname-mismatch; both fine → ok; expired → tls-failed', () => {
    expect(
      classifyTls({ chain: [leaf()], authorized: true, authorizationError: null, hostnameError: 'mismatch' }).reason,
    ).toBe('tls-hostname-mismatch');
    expect(
      classifyTls({ chain: [leaf()], authorized: true, authorizationError: null, hostnameError: null }),
    ).toMatchObject({ status: 'pass', reason: 'ok' });
    expect(
      classifyTls({ chain: [leaf()], authorized: false, authorizationError: 'CERT_HAS_EXPIRED', hostnameError: null })
        .reason,
    ).toBe('tls-failed');
    // Node's own name check folded into authorizationError is still a name problem
    expect(
      classifyTls({
        chain: [leaf()],
        authorized: false,
        authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID',
        hostnameError: null,
      }).reason,
    ).toBe('tls-hostname-mismatch');
  });
});

const skip = missingPrereqs('tls probe: certificates from openssl', [prereqs.openssl]);

describe.skipIf(skip !== null)('tlsHandshake against real and hostile servers', () => {
  let profile: TestPki;
  let rogue: TestPki;
  let other: TestPki;
  let good: TestServer;
  let intercepting: TestServer;
  let wrongName: TestServer;
  let silent: TestServer;
  let reset: TestServer;
  let proxy: Awaited<ReturnType<typeof connectProxy>>;

  beforeAll(async () => {
    profile = makeTestPki(['turn.test', '127.0.0.1'], 'Pathcheck Test CA');
    rogue = makeTestPki(['turn.test', '127.0.0.1'], 'Corp Inspection CA');
    other = makeTestPki(['other.test'], 'Other Test CA');
    good = await tlsServer(profile.keyPem, profile.certPem + profile.caPem);
    intercepting = await tlsServer(rogue.keyPem, rogue.certPem + rogue.caPem);
    wrongName = await tlsServer(other.keyPem, other.certPem);
    silent = await silentServer();
    reset = await resetServer();
    proxy = await connectProxy({ allowPorts: [good.port, intercepting.port] });
  });
  afterAll(async () => {
    await Promise.all([good, intercepting, wrongName, silent, reset, proxy].map((s) => s?.close()));
    for (const p of [profile, rogue, other]) if (p) rmSync(p.dir, { recursive: true, force: true });
  });

  it('a correct chain from the profile CA passes, with protocol, cipher, ALPN and chain', async () => {
    const r = await tlsHandshake('127.0.0.1', good.port, {
      deadlineMs: 3000,
      servername: 'turn.test',
      ca: profile.caPem,
      alpn: ['http/1.1'],
    });
    expect(r.status).toBe('pass');
    expect(r.reason).toBe('ok');
    expect(r.evidence).toMatchObject({
      authorized: true,
      authorizationError: null,
      hostnameError: null,
      alpnProtocol: 'http/1.1',
      servername: 'turn.test',
      profileCa: true,
      stage: 'done',
    });
    expect(r.evidence.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.evidence.cipher).toBeTruthy();
    expect(r.evidence.chain.map((c) => c.subjectCN)).toEqual(['turn.test', 'Pathcheck Test CA']);
    expect(r.evidence.chain[1]?.selfSigned).toBe(true);
    expect(r.evidence.chain[0]).toMatchObject({ issuerCN: 'Pathcheck Test CA', selfSigned: false });
    expect(r.evidence.chain[0]?.fingerprint256).toMatch(/^[0-9A-F:]+$/);
    expect(r.rttMs).toBeGreaterThanOrEqual(0);
  });

  it('the same server without the profile CA is reported as intercepted (system roots only)', async () => {
    const r = await tlsHandshake('127.0.0.1', good.port, { deadlineMs: 3000, servername: 'turn.test' });
    expect(r.reason).toBe('tls-intercepted');
  });

  it('a certificate from an unknown CA → tls-intercepted naming the issuer', async () => {
    const r = await tlsHandshake('127.0.0.1', intercepting.port, {
      deadlineMs: 3000,
      servername: 'turn.test',
      ca: profile.caPem,
    });
    expect(r).toMatchObject({ status: 'fail', reason: 'tls-intercepted', evidence: { authorized: false } });
    expect(r.detail).toContain('re-signed by “Corp Inspection CA”');
    expect(r.evidence.chain[0]?.issuerCN).toBe('Corp Inspection CA');
    expect(r.evidence.authorizationError).toMatch(/CERT|ISSUER/);
  });

  it('a trusted chain for another name → tls-hostname-mismatch', async () => {
    const r = await tlsHandshake('127.0.0.1', wrongName.port, {
      deadlineMs: 3000,
      servername: 'turn.test',
      ca: other.caPem,
    });
    expect(r).toMatchObject({ status: 'fail', reason: 'tls-hostname-mismatch', evidence: { authorized: true } });
    expect(r.evidence.hostnameError).toMatch(/turn\.test/);
  });

  it('an IP target checks the IP SAN and sends no SNI', async () => {
    const r = await tlsHandshake('127.0.0.1', good.port, { deadlineMs: 3000, ca: profile.caPem });
    expect(r).toMatchObject({ status: 'pass', evidence: { servername: null } });
  });

  it('works over IPv6 (::1), checking the name sent as SNI', async () => {
    const v6 = tls.createServer({ key: profile.keyPem, cert: profile.certPem + profile.caPem }, (s) => {
      s.on('error', () => undefined);
      s.end();
    });
    const up = await new Promise<boolean>((r) => {
      v6.once('error', () => r(false));
      v6.listen(0, '::1', () => r(true));
    });
    if (!up) return; // no ::1 on this host
    try {
      const port = (v6.address() as net.AddressInfo).port;
      const r = await tlsHandshake('::1', port, { deadlineMs: 3000, servername: 'turn.test', ca: profile.caPem });
      expect(r).toMatchObject({
        status: 'pass',
        reason: 'ok',
        evidence: { remoteAddress: '::1', servername: 'turn.test', authorized: true },
      });
    } finally {
      await new Promise((r) => v6.close(r));
    }
  });

  it('a server that never finishes the handshake → timeout inside the deadline', async () => {
    const start = Date.now();
    const r = await tlsHandshake('127.0.0.1', silent.port, { deadlineMs: 250, servername: 'turn.test' });
    expect(r).toMatchObject({ status: 'fail', reason: 'timeout', evidence: { stage: 'handshake' } });
    expect(r.detail).toMatch(/TLS handshake did not finish within 250 ms/);
    expect(Date.now() - start).toBeLessThan(250 + 2000);
  });

  it('a peer that resets during the handshake → tls-failed with ECONNRESET', async () => {
    const r = await tlsHandshake('127.0.0.1', reset.port, { deadlineMs: 3000, servername: 'turn.test' });
    expect(r).toMatchObject({
      status: 'fail',
      reason: 'tls-failed',
      evidence: { errno: 'ECONNRESET', stage: 'handshake' },
    });
  });

  it('TCP refusal keeps its TCP reason', async () => {
    const r = await tlsHandshake('127.0.0.1', await closedPort(), { deadlineMs: 3000 });
    expect(r).toMatchObject({ status: 'fail', reason: 'refused', evidence: { stage: 'tcp', errno: 'ECONNREFUSED' } });
  });

  it('through a CONNECT proxy: passes, detects interception, and reports a 403', async () => {
    const p = { host: '127.0.0.1', port: proxy.port };
    expect(
      (
        await tlsHandshake('127.0.0.1', good.port, {
          deadlineMs: 3000,
          servername: 'turn.test',
          ca: profile.caPem,
          proxy: p,
        })
      ).status,
    ).toBe('pass');
    const i = await tlsHandshake('127.0.0.1', intercepting.port, {
      deadlineMs: 3000,
      servername: 'turn.test',
      ca: profile.caPem,
      proxy: p,
    });
    expect(i).toMatchObject({ reason: 'tls-intercepted', evidence: { via: 'proxy' } });
    const d = await tlsHandshake('127.0.0.1', wrongName.port, { deadlineMs: 3000, proxy: p });
    expect(d).toMatchObject({ reason: 'proxy-refused', evidence: { proxyStatus: 403, stage: 'tcp' } });
  });

  it('an abort during the handshake → aborted', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 50);
    const r = await tlsHandshake('127.0.0.1', silent.port, { deadlineMs: 5000, signal: c.signal });
    expect(r.reason).toBe('aborted');
  });
});
