import { beforeAll, describe, expect, it, vi } from 'vitest';
import { requestSchemas } from '#common/ipc/contract';
import { appPaths } from '#main/paths';
import {
  app,
  BrowserWindow,
  fakeEvent,
  FakeWebContents,
  fakeInvokeEvent,
  ipcMain,
  protocol,
  resetElectronMock,
  session,
} from './electron-mock';

vi.mock('electron', () => import('./electron-mock'));

/** electron/main/index.ts composes the modules; this checks it wires all of them, in order. */
describe('main composition', () => {
  beforeAll(async () => {
    resetElectronMock();
    await import('#main/index');
    await new Promise((r) => setTimeout(r, 0)); // let whenReady().then(...) run
  });

  it('sandboxes all renderers and registers the app scheme before ready', () => {
    expect(app.enableSandbox).toHaveBeenCalledOnce();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledOnce();
    expect(app.enableSandbox.mock.invocationCallOrder[0]).toBeLessThan(app.whenReady.mock.invocationCallOrder[0]!);
  });

  it('registers every IPC channel', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.keys(requestSchemas).sort());
    expect([...ipcMain.handlers.keys()]).toEqual(
      expect.arrayContaining([
        'app:info',
        'diagnosis:cancel',
        'diagnosis:start',
        'profiles:list',
        'profiles:validate',
        'history:list',
        'report:pdf',
        'firewall:apply',
      ]),
    );
  });

  it('on ready: denies permissions, serves app://, opens one window on it', () => {
    expect(session.defaultSession.permissionRequestHandler).not.toBeNull();
    expect(protocol.handlers.has('app')).toBe(true);
    expect(BrowserWindow.created).toHaveLength(1);
    const win = BrowserWindow.created[0]!;
    expect(win.loadURL).toHaveBeenCalledWith('app://pathcheck/index.html');
    expect(String(win.options.webPreferences?.preload)).toMatch(/preload[/\\]index\.cjs$/);
  });

  it('guards web contents created later', () => {
    const contents = new FakeWebContents();
    app.emit('web-contents-created', fakeEvent({}), contents);
    const event = fakeEvent({ url: 'https://evil.example/' });
    contents.emit('will-navigate', event);
    expect(event.defaultPrevented()).toBe(true);
  });

  it('answers IPC from its window and refuses others', async () => {
    const win = BrowserWindow.created[0]!;
    const mine = (await ipcMain.handlers.get('profiles:list')!(fakeInvokeEvent(win.webContents))) as { ok: boolean };
    expect(mine.ok).toBe(true);
    const stranger = (await ipcMain.handlers.get('profiles:list')!(fakeInvokeEvent(new FakeWebContents()))) as {
      ok: boolean;
    };
    expect(stranger.ok).toBe(false);
  });
});

describe('appPaths', () => {
  it('reads profiles from the repository when unpackaged and from resources/profiles when packaged', () => {
    expect(appPaths(false, '/opt/Pathcheck/resources').profilesDir).toMatch(/resources[/\\]profiles$/);
    expect(appPaths(true, '/opt/Pathcheck/resources').profilesDir).toBe('/opt/Pathcheck/resources/profiles');
  });
});
