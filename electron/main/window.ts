import { BrowserWindow, nativeTheme } from 'electron';

/** Ids of the web contents of windows this module created: the only IPC senders main trusts. */
const ownContents = new Set<number>();

export function isOwnWebContents(id: number): boolean {
  return ownContents.has(id);
}

/** Every live window this module created (events are sent only to these). */
export function ownWindows(): BrowserWindow[] {
  return BrowserWindow.getAllWindows().filter((w) => !w.isDestroyed() && ownContents.has(w.webContents.id));
}

export interface MainWindowOptions {
  /** Absolute path of the built preload script (CommonJS: sandboxed preloads cannot be ESM). */
  preload: string;
  /** What to load: the app protocol URL, or the dev server under `npm run dev`. */
  url: string;
}

/**
 * The one window factory. The web preferences are literals on purpose, so a reader (and
 * electronegativity) sees them at a glance. `webSecurity`, `allowRunningInsecureContent` and
 * `experimentalFeatures` are at their safe defaults but spelled out, so a change shows in review.
 *
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#2-do-not-enable-nodejs-integration-for-remote-content  (nodeIntegration: false)
 *            https://www.electronjs.org/docs/latest/tutorial/security#3-enable-context-isolation  (contextIsolation: true)
 *            https://www.electronjs.org/docs/latest/tutorial/security#4-enable-process-sandboxing  (sandbox: true)
 *            https://www.electronjs.org/docs/latest/tutorial/security#12-verify-webview-options-before-creation  (webviewTag: false)
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1120,
    height: 780,
    minWidth: 720,
    minHeight: 540,
    show: false,
    title: 'Pathcheck',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14171c' : '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: {
      // The preload only exposes the typed bridge (electron/preload): intent-named functions, no ipcRenderer.
      preload: /* eng-disable PRELOAD_JS_CHECK @preserve */ options.preload,
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
      // Middle-click (auxclick) cannot open windows either; window.open is denied already (navigation.ts).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const id = win.webContents.id;
  ownContents.add(id);
  win.on('closed', () => ownContents.delete(id));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(options.url);
  return win;
}
