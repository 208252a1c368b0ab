import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { BRIDGE_GLOBAL } from '#common/ipc/bridge';
import { createBridge, type BridgeTransport } from './bridge';

/**
 * The preload: no logic, only the typed bridge (docs/architecture.md, "Layers"). The page gets
 * intent-named functions, never `ipcRenderer` or a channel parameter. Sandboxed preloads must be
 * CommonJS, which the build emits (out/preload/index.cjs).
 */
const transport: BridgeTransport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe: (channel, listener) => {
    // The page never sees Electron's event object: it carries `sender`.
    const wrapped = (_event: IpcRendererEvent, payload: Parameters<typeof listener>[0]) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
};

/** Type-only import: preload takes nothing but types from common; the literal is checked against it. */
const globalName: typeof BRIDGE_GLOBAL = 'pathcheck';
contextBridge.exposeInMainWorld(globalName, createBridge(transport));
