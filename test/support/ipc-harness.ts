import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventChannel, EventMap, Handlers, InvokeChannel, RequestInput, Response } from '#common/ipc/contract';
import type { IpcResult } from '#common/ipc/result';
import { wrapHandler } from '#main/ipc/handle';
import { createHandlers, type DiagnosisEngine, type HandlerDeps } from '#main/ipc/handlers';
import type { BridgeTransport } from '#preload/bridge';

/** The repository's built-in profiles, as main reads them when unpackaged. */
// From the path string: under happy-dom, `URL` is the DOM's class, which fileURLToPath refuses.
export const PROFILES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../resources/profiles');

export interface IpcHarness {
  /** Exactly what main registers: `createHandlers()` … */
  handlers: Handlers;
  /** … behind the same validating wrapper (`wrapHandler`), called as from the app's own main frame. */
  invoke<C extends InvokeChannel>(
    channel: C,
    payload?: RequestInput<C>,
    from?: { url: string; mainFrame: boolean },
  ): Promise<IpcResult<Response<C>>>;
  /** Every event main emitted, in order. */
  emitted: Array<{ channel: EventChannel; payload: EventMap[EventChannel] }>;
  /** Called for each emitted event (the e2e pushes them into the page). */
  onEmit?: (channel: EventChannel, payload: EventMap[EventChannel]) => void;
  /** A transport for `createBridge()` that goes through `invoke` and `emitted`, for in-process renderer tests. */
  transport: BridgeTransport;
}

/**
 * Main's IPC without Electron: the same handler functions and the same sender and payload checks,
 * with the caller standing in for the app window. `origin` is the page origin the harness trusts
 * (the app protocol by default; the e2e server's http origin there).
 */
export function createIpcHarness(
  options: {
    engine?: DiagnosisEngine;
    origin?: string;
    version?: string;
    reports?: HandlerDeps['reports'];
    firewall?: HandlerDeps['firewall'];
    profilesDir?: string;
    /** Stand-ins for what a run reaches outside the process (credential APIs, DNS, the WebRTC wait). */
    diagnosis?: Pick<HandlerDeps, 'resolveCredentials' | 'lookup' | 'webrtc' | 'credentialStore'>;
    /** The clock for end-of-service dates; default a day before Twilio's, so tests do not depend on the wall clock. */
    now?: () => Date;
    credentialStore?: HandlerDeps['credentialStore'];
    resolveCredentials?: HandlerDeps['resolveCredentials'];
  } = {},
): IpcHarness {
  const origin = options.origin ?? 'app://pathcheck';
  const listeners = new Map<EventChannel, Set<(payload: EventMap[EventChannel]) => void>>();
  const harness: IpcHarness = {
    emitted: [],
    handlers: createHandlers({
      profilesDir: options.profilesDir ?? PROFILES_DIR,
      engine: options.engine,
      app: { name: 'Pathcheck', version: options.version ?? '0.0.0-test' },
      ...(options.reports ? { reports: options.reports } : {}),
      ...(options.firewall ? { firewall: options.firewall } : {}),
      now: options.now ?? (() => new Date(2026, 11, 1, 12)),
      ...(options.credentialStore ? { credentialStore: options.credentialStore } : {}),
      ...(options.resolveCredentials ? { resolveCredentials: options.resolveCredentials } : {}),
      ...options.diagnosis,
      emit: (channel, payload) => {
        harness.emitted.push({ channel, payload });
        harness.onEmit?.(channel, payload);
        for (const l of listeners.get(channel) ?? []) l(payload);
      },
    }),
    async invoke(channel, payload, from = { url: `${origin}/index.html`, mainFrame: true }) {
      const mainFrame = { url: from.url, parent: null, processId: 1, routingId: 1 };
      const frame = from.mainFrame ? mainFrame : { url: from.url, parent: mainFrame, processId: 1, routingId: 2 };
      const event = { sender: { id: 1, mainFrame }, senderFrame: frame } as unknown as Electron.IpcMainInvokeEvent;
      const wrapped = wrapHandler(channel, harness.handlers[channel], {
        policy: { origin, isOwnWebContents: (id) => id === 1 },
        log: () => {},
      });
      return (await wrapped(event, payload)) as IpcResult<Response<typeof channel>>;
    },
    transport: {
      invoke: (channel, payload) => harness.invoke(channel, payload),
      subscribe: (channel, listener) => {
        const set = listeners.get(channel) ?? new Set();
        listeners.set(channel, set);
        const l = listener as (payload: EventMap[EventChannel]) => void;
        set.add(l);
        return () => {
          set.delete(l);
        };
      },
    },
  };
  return harness;
}
