import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CredentialsError,
  parseNtsToken,
  resolveCredentials,
  turnRestCredentials,
  twilioNtsCredentials,
} from '#node/credentials/index';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { makeTestPki, type TestPki } from '#test/support/test-ca';

describe('TURN REST credentials (coturn use-auth-secret)', () => {
  it('username is expiry[:user] and the credential is base64 HMAC-SHA1 of it, as openssl computes', () => {
    const c = turnRestCredentials('s3cret', 3600, 'alice', Date.UTC(2026, 0, 1));
    const expiry = Date.UTC(2026, 0, 1) / 1000 + 3600;
    expect(c.username).toBe(`${expiry}:alice`);
    const skip = missingPrereqs('turn-rest hmac', [prereqs.openssl]);
    if (skip) return;
    const mac = execFileSync('openssl', ['dgst', '-sha1', '-hmac', 's3cret', '-binary'], { input: c.username });
    expect(c.credential).toBe(mac.toString('base64'));
  });
});

describe('Twilio NTS token parsing', () => {
  it('reads urls, username and credential from both url and urls forms', () => {
    const t = parseNtsToken({
      ttl: '86400',
      ice_servers: [
        { url: 'stun:global.stun.twilio.com:3478' },
        { urls: 'turn:global.turn.twilio.com:3478?transport=udp', username: 'u1', credential: 'c1' },
        { urls: 'turns:global.turn.twilio.com:443?transport=tcp', username: 'u1', credential: 'c1' },
      ],
    });
    expect(t).toMatchObject({ username: 'u1', credential: 'c1', source: 'twilio-nts' });
    expect(t.urls).toHaveLength(3);
  });
  it('refuses an answer without credentials', () => {
    expect(() => parseNtsToken({ ice_servers: [{ urls: 'stun:x' }] })).toThrow(CredentialsError);
    expect(() => parseNtsToken({})).toThrow(/no ice_servers/);
  });
});

const skipTls = missingPrereqs('twilio nts https', [prereqs.openssl]);
describe.skipIf(skipTls)('Twilio NTS against a local HTTPS server that behaves like it', () => {
  let pki: TestPki;
  let server: Server;
  let base = '';
  const sid = `AC${'0123456789abcdef'.repeat(2)}`;
  const seen: Array<{ method?: string; url?: string; auth?: string }> = [];
  beforeAll(async () => {
    pki = makeTestPki(['127.0.0.1']);
    server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      const ok = req.headers.authorization === `Basic ${Buffer.from(`${sid}:right`).toString('base64')}`;
      if (req.url === `/2010-04-01/Accounts/${sid}/Tokens.json` && req.method === 'POST' && ok) {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ttl: '3600',
            ice_servers: [
              { urls: 'turn:turn.lab.test:3478?transport=udp', username: 'tok-user', credential: 'tok-pass' },
            ],
          }),
        );
      } else if (req.url === '/hang/2010-04-01/Accounts/x') {
        // never answers
      } else {
        res.writeHead(401).end('{"code":20003}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  it('POSTs with basic auth and returns the TURN pair', async () => {
    const c = await resolveCredentials(
      { type: 'twilio-nts', accountSid: sid, authToken: 'right', apiBase: base },
      { deadlineMs: 3000, ca: pki.caPem },
    );
    expect(c).toMatchObject({ username: 'tok-user', credential: 'tok-pass', source: 'twilio-nts' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: `/2010-04-01/Accounts/${sid}/Tokens.json` });
  });
  it('a wrong token is a clear auth error', async () => {
    await expect(
      twilioNtsCredentials(
        { type: 'twilio-nts', accountSid: sid, authToken: 'wrong', apiBase: base },
        { deadlineMs: 3000, ca: pki.caPem },
      ),
    ).rejects.toMatchObject({ code: 'nts-auth' });
  });
  it('an untrusted certificate is a network error, not silently accepted', async () => {
    await expect(
      twilioNtsCredentials(
        { type: 'twilio-nts', accountSid: sid, authToken: 'right', apiBase: base },
        { deadlineMs: 3000 },
      ),
    ).rejects.toMatchObject({ code: 'nts-network' });
  });
});
