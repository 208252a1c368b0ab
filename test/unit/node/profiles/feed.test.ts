import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedAge, feedCache, fetchFeed, FeedError, parseFeed, withFeedAddresses } from '#node/profiles/feed';
import { parseProfile, type AddressFeed, type Profile } from '#common/profile/schema';
import { makeTestPki, type TestPki } from '#test/support/test-ca';
import { withRanges } from '#node/cli/profile-run';
import { createHandlers } from '#main/ipc/handlers';
import { mkdirSync } from 'node:fs';
import { connectProxy, type TestServer } from '../probes/servers';

/**
 * Address-range feeds against a local HTTPS server (a throw-away CA) serving real-format samples:
 * Zoom's Zoom.txt (one CIDR per line) and Microsoft's endpoints JSON, plus malformed, oversize,
 * slow and redirecting answers.
 */
const FEEDS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/feeds');
const ZOOM = readFileSync(join(FEEDS, 'zoom.txt'), 'utf8');
const M365 = readFileSync(join(FEEDS, 'm365-endpoints.json'), 'utf8');

let pki: TestPki;
let server: Server;
let base: string;
let proxy: TestServer & { requests: string[] };
const open: Set<{ destroy(): void }> = new Set();

beforeAll(async () => {
  pki = makeTestPki(['localhost', '127.0.0.1']);
  server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
    switch (req.url) {
      case '/Zoom.txt':
        res.writeHead(200, { 'content-type': 'text/plain' }).end(ZOOM);
        return;
      case '/zoom-crlf.txt':
        res.writeHead(200).end(ZOOM.replace(/\n/g, '\r\n'));
        return;
      case '/endpoints':
        res.writeHead(200, { 'content-type': 'application/json' }).end(M365);
        return;
      case '/malformed.txt':
        res.writeHead(200).end(`${ZOOM}<html>login required</html>\n`);
        return;
      case '/bad-cidr.txt':
        res.writeHead(200).end('3.7.35.0/25\n3.7.35.0/33\n');
        return;
      case '/empty.txt':
        res.writeHead(200).end('\n\n');
        return;
      case '/oversize.txt':
        res.writeHead(200).end('10.0.0.0/8\n'.repeat(200_000));
        return;
      case '/oversize-chunked.txt': {
        res.writeHead(200);
        for (let i = 0; i < 200; i++) res.write('10.0.0.0/8\n'.repeat(1000));
        res.end();
        return;
      }
      case '/slow.txt': {
        res.writeHead(200);
        let n = 0;
        const t = setInterval(() => (n++ < 100 ? res.write('10.0.0.0/8\n') : (clearInterval(t), res.end())), 200);
        req.on('close', () => clearInterval(t));
        return;
      }
      case '/redirect':
        res.writeHead(302, { location: 'https://evil.example/Zoom.txt' }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  server.on('connection', (s) => (open.add(s), s.on('close', () => open.delete(s))));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  proxy = await connectProxy({ allowPorts: [(server.address() as AddressInfo).port] });
});
afterAll(async () => {
  for (const s of open) s.destroy();
  await new Promise((ok) => server?.close(ok));
  await proxy?.close();
});

const feed = (path: string, format: AddressFeed['format'] = 'cidr-lines', serviceArea?: string): AddressFeed => ({
  url: `${base}${path}`,
  format,
  ...(serviceArea ? { serviceArea } : {}),
});
const get = (f: AddressFeed, extra: Partial<Parameters<typeof fetchFeed>[1]> = {}) =>
  fetchFeed(f, { deadlineMs: 3000, ca: pki.caPem, now: () => new Date('2026-12-01T10:00:00Z'), ...extra });

describe('address-range feeds', () => {
  it('reads Zoom.txt: every line a CIDR, with the time it was fetched', async () => {
    const r = await get(feed('/Zoom.txt'));
    expect(r.ipv4).toHaveLength(ZOOM.trim().split('\n').length);
    expect(r.ipv4).toContain('170.114.0.0/16');
    expect(r.fetchedAt).toBe('2026-12-01T10:00:00.000Z');
    expect((await get(feed('/zoom-crlf.txt'))).ipv4).toEqual(r.ipv4);
  });

  it('reads Microsoft\u2019s endpoints JSON for one service area, deduplicated, both families', async () => {
    const r = await get(feed('/endpoints', 'm365-endpoints', 'Skype'));
    expect(r.ipv4).toEqual([
      '13.107.64.0/18',
      '52.112.0.0/14',
      '52.122.0.0/15',
      '13.70.151.216/32',
      '52.238.119.141/32',
    ]);
    expect(r.ipv6).toEqual(['2603:1063::/38', '2603:1027::/48']);
  });

  it('goes through the proxy the system uses', async () => {
    const before = proxy.requests.length;
    const r = await get(feed('/Zoom.txt'), { proxy: { host: '127.0.0.1', port: proxy.port } });
    expect(r.ipv4.length).toBeGreaterThan(100);
    expect(proxy.requests.slice(before)).toEqual([`CONNECT localhost:${new URL(base).port} HTTP/1.1`]);
  });

  it.each([
    ['/malformed.txt', 'malformed', /line \d+ is not an address range \("<html>login required<\/html>"\)/],
    ['/bad-cidr.txt', 'malformed', /line 2 is not an address range/],
    ['/empty.txt', 'malformed', /lists no address range/],
    ['/oversize.txt', 'too-large', /larger than 1024 KB/],
    ['/oversize-chunked.txt', 'too-large', /larger than 1024 KB/],
    ['/redirect', 'http', /HTTP 302 \(redirects are not followed\)/],
    ['/missing', 'http', /HTTP 404/],
  ])('%s is refused whole (%s)', async (path, reason, message) => {
    const err = await get(feed(path)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedError);
    expect(err).toMatchObject({ reason, message: expect.stringMatching(message) });
  });

  it('a feed that trickles in is cut at the deadline', async () => {
    await expect(get(feed('/slow.txt'), { deadlineMs: 600 })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('an untrusted certificate is refused (no CA given)', async () => {
    await expect(fetchFeed(feed('/Zoom.txt'), { deadlineMs: 3000 })).rejects.toMatchObject({ reason: 'network' });
  });

  it('the cache keeps the ranges with their date, re-validates them, and they become the profile\u2019s addresses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-feed-cache-'));
    const cache = feedCache(dir);
    const f = feed('/Zoom.txt');
    expect(await cache.load(f)).toBeNull();
    const r = await get(f);
    await cache.save(r);
    expect(await cache.load(f)).toEqual(r);
    const parsed = parseProfile({
      schemaVersion: 1,
      id: 'z',
      name: 'Z',
      signaling: [{ host: 'zoom.us', port: 443 }],
      group: { udpPorts: [[8801, 8810]] },
      addressFeed: f,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const p: Profile = withFeedAddresses(parsed.profile, r);
    expect(p.addresses.ipv4).toEqual(r.ipv4);
    expect(parseProfile(p).ok).toBe(true);
    expect(feedAge(r.fetchedAt, new Date('2026-12-04T09:00:00Z'))).toBe('fetched 2026-12-01 (2 days ago)');
    // A tampered cache file is not used.
    const file = join(dir, (await import('node:fs')).readdirSync(dir)[0]!);
    writeFileSync(file, JSON.stringify({ ...r, ipv4: ['0.0.0.0/0; rm -rf /'] }));
    expect(await cache.load(f)).toBeNull();
  });

  it('parseFeed refuses a JSON feed that is not Microsoft\u2019s shape', () => {
    const f: AddressFeed = { url: 'https://x.example/e', format: 'm365-endpoints', serviceArea: 'Skype' };
    expect(() => parseFeed(f, '{"not":"a list"}')).toThrow(/not a list of endpoint sets/);
    expect(() => parseFeed(f, '[{"serviceArea":"Skype","ips":["52.112.0.0/14","nope"]}]')).toThrow(
      /"nope" is not an address range/,
    );
    expect(() => parseFeed(f, '[{"serviceArea":"Exchange","ips":["1.2.3.0/24"]}]')).toThrow(
      /no address range for Skype/,
    );
  });
});

describe('the CLI\u2019s ranges: fetched only with consent, through HTTPS_PROXY, then from the cache with their age', () => {
  it('uses the profile\u2019s list without consent, fetches with it, and reuses the cache after', async () => {
    const parsed = parseProfile({
      schemaVersion: 1,
      id: 'z',
      name: 'Z',
      signaling: [{ host: 'zoom.us', port: 443 }],
      group: { udpPorts: [[8801, 8810]] },
      addresses: { ipv4: ['192.0.2.0/24'], ipv6: [] },
      addressFeed: feed('/Zoom.txt'),
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    let err = '';
    const env = {
      PATHCHECK_CACHE_DIR: mkdtempSync(join(tmpdir(), 'pc-cli-cache-')),
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      NO_PROXY: '',
    };
    const common = {
      env,
      stderr: { write: (s: string) => (err += s) },
      ca: pki.caPem,
      now: () => new Date('2026-12-03T10:00:00Z'),
    };
    const none = await withRanges(parsed.profile, { ...common, refresh: false });
    expect(none.profile.addresses.ipv4).toEqual(['192.0.2.0/24']);
    expect(err).toContain('--refresh-ranges fetches the current ones');
    const before = proxy.requests.length;
    const fetched = await withRanges(parsed.profile, { ...common, refresh: true });
    expect(proxy.requests.length).toBe(before + 1);
    expect(fetched.profile.addresses.ipv4).toContain('170.114.0.0/16');
    expect(fetched.feed).toEqual({ url: feed('/Zoom.txt').url, fetchedAt: '2026-12-03T10:00:00.000Z' });
    const later = await withRanges(parsed.profile, {
      ...common,
      refresh: false,
      now: () => new Date('2026-12-10T10:00:00Z'),
    });
    expect(proxy.requests.length).toBe(before + 1);
    expect(later.profile.addresses.ipv4).toEqual(fetched.profile.addresses.ipv4);
    expect(err).toContain('fetched 2026-12-03 (7 days ago)');
  });
});

describe('the app: profiles:ranges fetches a built-in profile\u2019s own feed only when asked, and runs use the cache', () => {
  it('reads the cache, fetches on refresh through the system proxy, and the run reports the ranges\u2019 date', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-app-feeds-'));
    const profilesDir = join(dir, 'profiles');
    mkdirSync(profilesDir);
    writeFileSync(
      join(profilesDir, 'zoom.json'),
      JSON.stringify({
        schemaVersion: 1,
        id: 'zoom',
        name: 'Zoom',
        signaling: [{ host: 'zoom.us', port: 443 }],
        group: { udpPorts: [[8801, 8810]] },
        addresses: { ipv4: ['192.0.2.0/24'], ipv6: [] },
        addressFeed: feed('/Zoom.txt'),
      }),
    );
    const engineProfiles: Profile[] = [];
    const pac: string[] = [];
    const handlers = createHandlers({
      profilesDir,
      emit: () => {},
      now: () => new Date('2026-12-01T10:00:00Z'),
      feeds: { cacheDir: join(dir, 'feeds'), ca: pki.caPem },
      resolveProxy: async (url) => (pac.push(url), `PROXY 127.0.0.1:${proxy.port}`),
      engine: { diagnose: async (p) => (engineProfiles.push(p), Promise.reject(new Error('stop'))) },
    });
    expect(await handlers['profiles:ranges']({ profileId: 'zoom' })).toEqual({
      ok: true,
      value: { feed: { url: feed('/Zoom.txt').url }, cached: null },
    });
    await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['group'] });
    await new Promise((r) => setTimeout(r, 20));
    expect(engineProfiles[0]!.addresses.ipv4).toEqual(['192.0.2.0/24']);
    const before = proxy.requests.length;
    const refreshed = await handlers['profiles:ranges']({ profileId: 'zoom', refresh: true });
    expect(refreshed).toMatchObject({
      ok: true,
      value: { cached: { fetchedAt: '2026-12-01T10:00:00.000Z', ipv6: 0 } },
    });
    expect(refreshed.ok && refreshed.value.cached!.ipv4).toBeGreaterThan(100);
    expect(pac).toEqual([feed('/Zoom.txt').url]);
    expect(proxy.requests.length).toBe(before + 1);
    await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['group'] });
    await new Promise((r) => setTimeout(r, 20));
    expect(engineProfiles[1]!.addresses.ipv4).toContain('170.114.0.0/16');
    // A page-supplied profile's feed is never fetched or used.
    const bad = await handlers['profiles:ranges']({ profileId: 'nope' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'profile-not-found' } });
  });

  it('a failed refresh says why and keeps what was cached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-app-feeds-'));
    const profilesDir = join(dir, 'profiles');
    mkdirSync(profilesDir);
    writeFileSync(
      join(profilesDir, 'z.json'),
      JSON.stringify({
        schemaVersion: 1,
        id: 'z',
        name: 'Z',
        signaling: [{ host: 'zoom.us', port: 443 }],
        group: { udpPorts: [[8801, 8810]] },
        addressFeed: feed('/malformed.txt'),
      }),
    );
    const handlers = createHandlers({
      profilesDir,
      emit: () => {},
      feeds: { cacheDir: join(dir, 'feeds'), ca: pki.caPem },
    });
    const r = await handlers['profiles:ranges']({ profileId: 'z', refresh: true });
    expect(r).toMatchObject({
      ok: true,
      value: { cached: null, refreshError: expect.stringMatching(/is not an address range/) },
    });
  });
});

describe('the report says how old its ranges are', () => {
  it('the HTML header names the feed and its fetch time', async () => {
    const { renderHeader } = await import('#common/report/html/header');
    const report = JSON.parse(readFileSync(resolve(FEEDS, '../reports/blocked.json'), 'utf8'));
    report.profile.addressFeed = {
      url: 'https://assets.zoom.us/docs/ipranges/Zoom.txt',
      fetchedAt: '2026-11-20T08:00:00.000Z',
    };
    const html = renderHeader(report, '2026-12-01T08:00:00.000Z');
    expect(html).toContain('Address ranges for rules from <code>https://assets.zoom.us/docs/ipranges/Zoom.txt</code>');
    expect(html).toContain('(11 days before this report was generated)');
    delete report.profile.addressFeed;
    expect(renderHeader(report)).not.toContain('Address ranges for rules');
  });
});
