import type { Session } from 'electron';
import { originOf } from './origin';

/**
 * The only permission the app grants, by name, with the reason: writing plain text to the
 * clipboard ("Copy summary for a ticket"), and only for the app's own page. Reading the clipboard,
 * camera, microphone, notifications and everything else stay denied: the WebRTC tests use data
 * channels, which need no media permission.
 */
const ALLOWED = new Set(['clipboard-sanitized-write']);

/**
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
export function restrictPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
  appOrigin: string,
): void {
  const fromApp = (url: string | undefined): boolean => url !== undefined && originOf(url) === appOrigin;
  session.setPermissionRequestHandler((_webContents, permission, callback, details) =>
    callback(ALLOWED.has(permission) && fromApp((details as { requestingUrl?: string } | undefined)?.requestingUrl)),
  );
  session.setPermissionCheckHandler(
    (_webContents, permission, requestingOrigin) => ALLOWED.has(permission) && fromApp(requestingOrigin),
  );
}
