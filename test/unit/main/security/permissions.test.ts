import { beforeEach, describe, expect, it, vi } from 'vitest';
import { denyAllPermissions } from '../../../../electron/main/security/permissions';
import { resetElectronMock, session } from '../electron-mock';

vi.mock('electron', () => import('../electron-mock'));

describe('denyAllPermissions', () => {
  beforeEach(resetElectronMock);

  it.each(['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'display-capture'])('refuses a request for %s', (permission) => {
    denyAllPermissions(session.defaultSession as unknown as Electron.Session);
    const callback = vi.fn();
    session.defaultSession.permissionRequestHandler?.({}, permission, callback);
    expect(callback).toHaveBeenCalledExactlyOnceWith(false);
  });

  it('answers every permission check with false', () => {
    denyAllPermissions(session.defaultSession as unknown as Electron.Session);
    expect(session.defaultSession.permissionCheckHandler?.({}, 'media', 'app://pathcheck')).toBe(false);
    expect(session.defaultSession.permissionCheckHandler?.({}, 'clipboard-sanitized-write', 'app://pathcheck')).toBe(false);
  });
});
