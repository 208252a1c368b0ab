/**
 * Where the renderer lives. In a packaged or previewed app it is `app://pathcheck/…` (see
 * app-protocol.ts); under `npm run dev` it is Vite's dev server, whose URL electron-vite passes in
 * `ELECTRON_RENDERER_URL`. Only an unpackaged app honours that variable, so an installed app can
 * never be pointed at another origin through the environment.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'pathcheck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * `scheme://host[:port]` of a URL, or null when it does not parse.
 *
 * Not `new URL(u).origin`: Node's WHATWG URL gives the opaque origin `"null"` for schemes it does
 * not know, such as our `app:`, even though Chromium treats `app` as a standard scheme. Comparing
 * scheme and host (with port) is the same test for http(s) and works for `app:` too.
 */
export function originOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!u.host) return null;
  return `${u.protocol}//${u.host}`;
}

export interface RendererLocation {
  /** What the window loads first. */
  url: string;
  /** The only origin allowed to navigate, to call IPC, and to receive events. */
  origin: string;
}

export function rendererLocation(isPackaged: boolean, devServerUrl: string | undefined): RendererLocation {
  const devOrigin = !isPackaged && devServerUrl ? originOf(devServerUrl) : null;
  if (devServerUrl && devOrigin) return { url: devServerUrl, origin: devOrigin };
  return { url: `${APP_ORIGIN}/index.html`, origin: APP_ORIGIN };
}
