import { beforeEach, describe, expect, it, vi } from 'vitest';
import { restrictPermissions } from '#main/security/permissions';
import { resetElectronMock, session } from '../electron-mock';

vi.mock('electron', () => import('../electron-mock'));

describe('restrictPermissions', () => {
  beforeEach(resetElectronMock);

  it.each(['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'display-capture'])(
    'refuses a request for %s',
    (permission) => {
      restrictPermissions(session.defaultSession as unknown as Electron.Session, 'app://pathcheck');
      const callback = vi.fn();
      session.defaultSession.permissionRequestHandler?.({}, permission, callback);
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
    },
  );

  it('grants only clipboard writes, and only to the app’s own page', () => {
    restrictPermissions(session.defaultSession as unknown as Electron.Session, 'app://pathcheck');
    const check = session.defaultSession.permissionCheckHandler!;
    expect(check({}, 'media', 'app://pathcheck')).toBe(false);
    expect(check({}, 'clipboard-read', 'app://pathcheck')).toBe(false);
    expect(check({}, 'clipboard-sanitized-write', 'app://pathcheck')).toBe(true);
    expect(check({}, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    const request = (url: string) => {
      const callback = vi.fn();
      session.defaultSession.permissionRequestHandler?.({}, 'clipboard-sanitized-write', callback, {
        requestingUrl: url,
      });
      return callback.mock.calls[0]?.[0];
    };
    expect(request('app://pathcheck/index.html')).toBe(true);
    expect(request('file:///etc/passwd')).toBe(false);
  });
});
