import type { Protocol } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { securityHeaders } from './csp';
import { APP_HOST, APP_SCHEME } from './origin';

/**
 * Serve the renderer from `app://pathcheck/…` instead of `file://`. A standard, secure scheme gives
 * the page a real origin (storage, CSP 'self', origin checks) without the extra privileges
 * `file://` pages get; `grantFileProtocolExtraPrivileges` is off in the fuses as well.
 *
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  // Must run before `app` is ready. No `bypassCSP`, no `corsEnabled`: the page gets nothing extra.
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, createRendererRequestHandler(rendererDir));
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function reply(
  status: number,
  body: Uint8Array<ArrayBuffer> | string | null,
  contentType = 'text/plain; charset=utf-8',
): Response {
  return new Response(body, { status, headers: { ...securityHeaders(), 'Content-Type': contentType } });
}

/**
 * Maps an `app://pathcheck/<path>` request onto a file below `rootDir`. Anything that would leave
 * `rootDir` (`..` in any spelling, percent-encoded separators, absolute or drive paths, NUL) is
 * refused with 403; other hosts, methods and missing files get 404/405. A plain function of a
 * `Request`, so tests call it without Electron.
 */
export function createRendererRequestHandler(rootDir: string): (request: Request) => Promise<Response> {
  const root = resolve(rootDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return reply(400, 'bad url');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return reply(404, 'not found');

    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return reply(400, 'bad path encoding');
    }
    if (path.includes('\0')) return reply(403, 'forbidden');
    if (path === '/' || path === '') path = '/index.html';

    const file = join(root, path);
    const rel = relative(root, file);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return reply(403, 'forbidden');

    try {
      const info = await stat(file);
      if (!info.isFile()) return reply(404, 'not found');
      const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
      return reply(200, body, MIME[extname(file).toLowerCase()] ?? 'application/octet-stream');
    } catch {
      return reply(404, 'not found');
    }
  };
}
