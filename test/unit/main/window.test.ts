import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMainWindow, isOwnWebContents, ownWindows } from '#main/window';
import { BrowserWindow, resetElectronMock } from './electron-mock';

vi.mock('electron', () => import('./electron-mock'));

describe('createMainWindow', () => {
  beforeEach(resetElectronMock);

  it('creates the window with the secure web preferences, literally', () => {
    createMainWindow({ preload: '/app/out/preload/index.cjs', url: 'app://pathcheck/index.html' });
    const [win] = BrowserWindow.created;
    expect(win?.options.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(win?.options.show).toBe(false);
    expect(win?.loadURL).toHaveBeenCalledWith('app://pathcheck/index.html');
  });

  it('writes the four security preferences as literals in the source, not computed values', () => {
    const source = readFileSync(new URL('../../../electron/main/window.ts', import.meta.url), 'utf8');
    for (const literal of [
      'contextIsolation: true,',
      'sandbox: true,',
      'nodeIntegration: false,',
      'webviewTag: false,',
    ]) {
      expect(source).toContain(literal);
    }
  });

  it('trusts its own web contents only while the window is open', () => {
    const win = createMainWindow({ preload: '/p.cjs', url: 'app://pathcheck/index.html' });
    const id = win.webContents.id;
    expect(isOwnWebContents(id)).toBe(true);
    expect(isOwnWebContents(id + 999)).toBe(false);
    expect(ownWindows()).toEqual([win]);
    (win as unknown as BrowserWindow).close();
    expect(isOwnWebContents(id)).toBe(false);
    expect(ownWindows()).toEqual([]);
  });

  it('shows the window only once it has painted', () => {
    const win = createMainWindow({ preload: '/p.cjs', url: 'app://pathcheck/index.html' }) as unknown as BrowserWindow;
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalledOnce();
  });
});
