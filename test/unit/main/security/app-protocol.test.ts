import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRendererRequestHandler, registerAppScheme, serveRenderer } from '#main/security/app-protocol';
import { CSP, CSP_META } from '#main/security/csp';
import { protocol, resetElectronMock } from '../electron-mock';

vi.mock('electron', () => import('../electron-mock'));

const SECRET = 'outside the renderer directory';
let base: string;
let root: string;
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'pathcheck-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ok</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), SECRET);
  handle = createRendererRequestHandler(root);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

describe('app:// request handler', () => {
  it('serves index.html for / with the CSP header', async () => {
    const res = await get('app://pathcheck/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>ok</title>');
  });

  it('serves assets with their MIME type (module scripts need text/javascript)', async () => {
    const res = await get('app://pathcheck/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
  });

  it.each([
    'app://pathcheck/..%2fsecret.txt',
    'app://pathcheck/assets/..%2f..%2fsecret.txt',
    'app://pathcheck/%2E%2E%2Fsecret.txt',
    'app://pathcheck/assets%2f..%2f..%2fsecret.txt',
  ])('refuses path traversal: %s', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(SECRET);
  });

  it.each([
    'app://pathcheck/../../secret.txt',
    'app://pathcheck/%2e%2e/secret.txt',
    'app://pathcheck/assets/.%2E/.%2e/secret.txt',
  ])('keeps dot segments inside the root (URL parsing resolves them first): %s', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(SECRET);
  });

  it('treats an encoded absolute path as relative to the root', async () => {
    const res = await get(`app://pathcheck/${encodeURIComponent(join(base, 'secret.txt'))}`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(SECRET);
  });

  it.each([
    ['app://pathcheck/index.html%00.js', 403],
    ['app://pathcheck/%E0%A4%A', 400],
    ['app://evil/index.html', 404],
    ['app://pathcheck/missing.js', 404],
    ['app://pathcheck/assets', 404],
    ['app://pathcheck/assets/', 404],
  ])('%s -> %i', async (url, status) => {
    expect((await get(url)).status).toBe(status);
  });

  it('allows only GET and HEAD', async () => {
    expect((await get('app://pathcheck/index.html', 'POST')).status).toBe(405);
    const head = await get('app://pathcheck/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('app scheme registration', () => {
  beforeEach(resetElectronMock);

  it('registers app: as standard and secure, without bypassing CSP or opening CORS', () => {
    registerAppScheme(protocol as unknown as Electron.Protocol);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledExactlyOnceWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('serves the renderer directory on the app scheme', async () => {
    serveRenderer(protocol as unknown as Electron.Protocol, root);
    const handler = protocol.handlers.get('app');
    expect(handler).toBeDefined();
    expect((await handler!(new Request('app://pathcheck/..%2fsecret.txt'))).status).toBe(403);
  });
});

describe('CSP', () => {
  it('is the same in renderer/index.html as in the response header, less frame-ancestors', () => {
    const html = readFileSync(new URL('../../../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CSP_META);
    expect(`${CSP_META}; frame-ancestors 'none'`).toBe(CSP);
  });

  it('allows nothing from elsewhere and no inline script or style', () => {
    expect(CSP).toContain("default-src 'none'");
    expect(CSP).toContain("script-src 'self';");
    expect(CSP).toContain("style-src 'self';");
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});
