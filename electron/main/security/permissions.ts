import type { Session } from 'electron';

/**
 * Deny every permission request and check. Pathcheck needs none: its WebRTC tests use data
 * channels, which need no camera or microphone, and it shows no notifications. A future feature
 * that needs one adds it here, by name, with the reason.
 *
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content
 */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
