import type { App, WebContents } from 'electron';
import { originOf } from './origin';

/**
 * Keep every web contents on the app's own origin: navigation and redirects elsewhere are
 * cancelled, `window.open` and target=_blank are denied, and `<webview>` is never attached
 * (`webviewTag` is off as well). Applied through `web-contents-created`, so it also covers web
 * contents created later, by any module.
 *
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation
 *            https://www.electronjs.org/docs/latest/tutorial/security#14-disable-or-limit-creation-of-new-windows
 *            https://www.electronjs.org/docs/latest/tutorial/security#12-verify-webview-options-before-creation
 */
export function limitNavigation(app: Pick<App, 'on'>, allowedOrigin: string): void {
  app.on('web-contents-created', (_event, contents) => guardContents(contents, allowedOrigin));
}

export function guardContents(contents: WebContents, allowedOrigin: string): void {
  const stayHome = (event: { preventDefault(): void; url: string }) => {
    if (originOf(event.url) !== allowedOrigin) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
