import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/**
 * The one `electron` mock for main-process and preload wiring tests. Use it with
 *   vi.mock('electron', () => import('./electron-mock'));
 * It records what the code under test registers (window options, IPC handlers, protocol handler,
 * permission handlers, exposed bridge) so tests can drive those registrations directly.
 * Call `resetElectronMock()` in `beforeEach`.
 */

let nextId = 1;

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
  processId: number;
  routingId: number;
}

/** A web contents: an EventEmitter that remembers its window-open handler. */
export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: FakeFrame;
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  readonly send = vi.fn();
  /** printToPDF of the hidden print window (electron/main/pdf.ts); answers a tiny PDF by default. */
  readonly printToPDF = vi.fn(async (_options: unknown) => Buffer.from('%PDF-1.7 fake'));

  constructor(url = 'app://pathcheck/index.html') {
    super();
    this.mainFrame = { url, parent: null, processId: 7, routingId: this.id };
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }

  /** A child frame of this contents (an iframe). */
  subframe(url: string): FakeFrame {
    return { url, parent: this.mainFrame, processId: 7, routingId: this.id + 1000 };
  }
}

/** An Electron-style event: `preventDefault()` plus whatever fields the event carries. */
export function fakeEvent<T extends object>(
  fields: T,
): T & { preventDefault: ReturnType<typeof vi.fn>; defaultPrevented(): boolean } {
  const preventDefault = vi.fn();
  return Object.assign({ ...fields }, { preventDefault, defaultPrevented: () => preventDefault.mock.calls.length > 0 });
}

/** An `IpcMainInvokeEvent` as main's handle() wrapper sees it. */
export function fakeInvokeEvent(sender: FakeWebContents, frame: FakeFrame | null = sender.mainFrame) {
  return { sender, senderFrame: frame } as unknown as Electron.IpcMainInvokeEvent;
}

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.created.filter((w) => !w.destroyed);
  }

  readonly webContents = new FakeWebContents();
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  readonly show = vi.fn();
  destroyed = false;

  constructor(readonly options: Electron.BrowserWindowConstructorOptions) {
    super();
    BrowserWindow.created.push(this);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  close(): void {
    this.destroyed = true;
    this.emit('closed');
  }

  destroy(): void {
    this.close();
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  readonly enableSandbox = vi.fn();
  readonly quit = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => true);
  readonly whenReady = vi.fn(async () => undefined);
  readonly isReady = vi.fn(() => true);
  getName(): string {
    return 'Pathcheck';
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  getPath(name: string): string {
    return `/tmp/pathcheck-electron-mock/${name}`;
  }
}

export const app = new FakeApp();
export const nativeTheme = { shouldUseDarkColors: false };

export const ipcMain = {
  handlers: new Map<string, (event: unknown, payload?: unknown) => unknown>(),
  handle(channel: string, fn: (event: unknown, payload?: unknown) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  },
};

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  handle(scheme: string, fn: (request: Request) => Promise<Response> | Response): void {
    this.handlers.set(scheme, fn);
  },
};

class FakeSession {
  permissionRequestHandler:
    ((wc: unknown, permission: string, callback: (granted: boolean) => void, details?: unknown) => void) | null = null;
  permissionCheckHandler: ((wc: unknown, permission: string, origin: string, details?: unknown) => boolean) | null =
    null;
  beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | null = null;
  readonly webRequest = {
    onBeforeRequest: (listener: FakeSession['beforeRequest']) => {
      this.beforeRequest = listener;
    },
  };
  /** What `resolveProxy` answers (PAC syntax, as Chromium's); tests set it per case. */
  proxyAnswer = 'DIRECT';
  readonly resolveProxy = vi.fn(async (_url: string) => this.proxyAnswer);
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = h;
  }
}
export const session = {
  defaultSession: new FakeSession(),
  partitions: new Map<string, FakeSession>(),
  fromPartition(name: string): FakeSession {
    const existing = this.partitions.get(name);
    if (existing) return existing;
    const created = new FakeSession();
    this.partitions.set(name, created);
    return created;
  },
};

/** Save dialog: answers `savePath` (null = the user cancelled). */
export const dialog = {
  savePath: null as string | null,
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({
    canceled: dialog.savePath === null,
    filePath: dialog.savePath ?? '',
  })),
};

/**
 * safeStorage: "encrypts" by XOR + a marker so tests can see the file is not plain text. `available`
 * and `backend` switch the cases credentials-store.ts must handle (no keychain, Linux basic_text).
 */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  getSelectedStorageBackend(): string {
    return this.backend;
  },
  encryptString(plain: string): Buffer {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.concat([Buffer.from('v10'), Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]);
  },
  decryptString(blob: Buffer): string {
    if (!this.available) throw new Error('Decryption is not available.');
    if (blob.subarray(0, 3).toString() !== 'v10')
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(blob.subarray(3).map((b) => b ^ 0x5a)).toString('utf8');
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

const okNull = async (_channel: string, _payload?: unknown): Promise<unknown> => ({ ok: true, value: null });
class FakeIpcRenderer extends EventEmitter {
  readonly invoke = vi.fn(okNull);
}
export const ipcRenderer = new FakeIpcRenderer();

export function resetElectronMock(): void {
  BrowserWindow.created = [];
  app.removeAllListeners();
  app.isPackaged = false;
  for (const fn of [app.enableSandbox, app.quit, app.requestSingleInstanceLock, app.whenReady, app.isReady])
    fn.mockClear();
  ipcMain.handlers.clear();
  protocol.handlers.clear();
  protocol.registerSchemesAsPrivileged.mockClear();
  session.defaultSession = new FakeSession();
  session.partitions.clear();
  dialog.savePath = null;
  dialog.showSaveDialog.mockClear();
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  contextBridge.exposed.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoke.mockReset().mockImplementation(okNull);
  nativeTheme.shouldUseDarkColors = false;
}
