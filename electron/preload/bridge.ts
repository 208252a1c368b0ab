import type { PathcheckBridge, Unsubscribe } from '#common/ipc/bridge';
import type { EventChannel, EventMap, InvokeChannel, RequestInput, Response } from '#common/ipc/contract';
import type { IpcResult } from '#common/ipc/result';

/** How the bridge reaches main: `ipcRenderer` in the preload, a Playwright binding in the Chromium e2e. */
export interface BridgeTransport {
  invoke<C extends InvokeChannel>(channel: C, payload?: RequestInput<C>): Promise<IpcResult<Response<C>>>;
  subscribe<E extends EventChannel>(channel: E, listener: (payload: EventMap[E]) => void): Unsubscribe;
}

/**
 * Builds `window.pathcheck` over a transport. Channel names are string literals checked against
 * the contract's types, so this file needs no runtime import at all: the Chromium e2e harness
 * injects this very function (via `Function.prototype.toString`) instead of a copy of it.
 */
export function createBridge(transport: BridgeTransport) {
  return {
    app: {
      info: () => transport.invoke('app:info'),
    },
    profiles: {
      list: () => transport.invoke('profiles:list'),
      validate: (text) => transport.invoke('profiles:validate', { text }),
      ranges: (profileId, refresh) =>
        transport.invoke('profiles:ranges', { profileId, ...(refresh ? { refresh: true } : {}) }),
    },
    diagnosis: {
      start: (request) => transport.invoke('diagnosis:start', request),
      cancel: (runId) => transport.invoke('diagnosis:cancel', { runId }),
      onEvent: (listener) => transport.subscribe('diagnosis:event', listener),
      webrtcConfig: (runId) => transport.invoke('diagnosis:webrtc-config', { runId }),
      submitWebrtc: (request) => transport.invoke('diagnosis:submit-webrtc', request),
      claimLink: (runId) => transport.invoke('diagnosis:claim-link', { runId }),
    },
    credentials: {
      status: (target) => transport.invoke('credentials:status', target),
      forget: (target) => transport.invoke('credentials:forget', target),
    },
    history: {
      list: () => transport.invoke('history:list'),
      open: (id) => transport.invoke('history:open', { id }),
      remove: (id) => transport.invoke('history:delete', { id }),
      importJson: (text) => transport.invoke('history:import', { text }),
      exportJson: (id) => transport.invoke('history:export-json', { id }),
      summary: (id) => transport.invoke('history:summary', { id }),
    },
    reports: {
      savePdf: (request) => transport.invoke('report:pdf', request),
      compare: (beforeId, afterId) => transport.invoke('report:compare', { beforeId, afterId }),
    },
    firewall: {
      plan: (ref) => transport.invoke('firewall:plan', ref),
      apply: (ref, consent) => transport.invoke('firewall:apply', { ...ref, consent }),
      undo: (ref, consent) => transport.invoke('firewall:undo', { ...ref, consent }),
      recheck: (ref) => transport.invoke('firewall:recheck', ref),
      ticket: (ref, target) => transport.invoke('firewall:ticket', { ...ref, target }),
    },
    proxyAuth: {
      onRequest: (listener) => transport.subscribe('proxy-auth:request', listener),
      answer: (request) => transport.invoke('proxy-auth:answer', request),
    },
  } satisfies PathcheckBridge;
}
