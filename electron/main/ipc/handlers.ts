import { randomUUID } from 'node:crypto';
import type { AppInfo } from '../../common/ipc/app';
import type { EventChannel, EventMap, Handlers } from '../../common/ipc/contract';
import { DiagnosisChannel } from '../../common/ipc/diagnosis';
import type { ProfileEntry } from '../../common/ipc/profiles';
import { fail, IpcErrorCode, ok, type IpcResult } from '../../common/ipc/result';
import { parseProfileJson, type Credentials, type Profile } from '../../common/profile/schema';
import type { DiagnosisEvent } from '../../common/report/progress';
import type { Report, RoomType } from '../../common/report/schema';
import { listProfiles } from '../../node/profiles/store';

/** What main needs from the engine (electron/node/engine); the CLI drives the same function. */
export interface DiagnosisEngine {
  diagnose(
    profile: Profile,
    options: {
      runId: string;
      rooms: RoomType[];
      signal: AbortSignal;
      onEvent: (event: DiagnosisEvent) => void;
      credentials?: Credentials;
    },
  ): Promise<Report>;
}

export interface HandlerDeps {
  /** Directory of the built-in profiles (`resources/profiles`, or its packaged copy). */
  profilesDir: string;
  /** Absent until the engine is wired in; then `diagnosis:start` answers `engine-unavailable`. */
  engine?: DiagnosisEngine;
  /** Sends an event to the renderer (main: every window it owns; harness: the test page). */
  emit<E extends EventChannel>(channel: E, payload: EventMap[E]): void;
  /** Name and version for `app:info`; main passes Electron's `app.getName()` / `app.getVersion()`. */
  app?: { name: string; version: string };
}

export const ENGINE_UNAVAILABLE_MESSAGE = 'The diagnosis engine is not available in this build yet.';

/**
 * Builds the functions main registers for each invoke channel. They take already-validated
 * payloads (see handle.ts) and return results; they know nothing about Electron, so the Chromium
 * e2e harness and unit tests call exactly these.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  /** Active runs. One at a time: two diagnoses at once would disturb each other's measurements. */
  const runs = new Map<string, AbortController>();

  const appInfo = (): AppInfo => ({
    name: deps.app?.name ?? 'Pathcheck',
    version: deps.app?.version ?? '0.0.0-dev',
    platform: process.platform,
    arch: process.arch,
    versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node },
  });

  const loadProfiles = async (): Promise<IpcResult<Profile[]>> => {
    try {
      return ok(await listProfiles(deps.profilesDir));
    } catch (e) {
      return fail(IpcErrorCode.profilesUnreadable, `The built-in profiles could not be read: ${(e as Error).message}`);
    }
  };

  const runDiagnosis = (engine: DiagnosisEngine, profile: Profile, rooms: RoomType[], credentials: Credentials | undefined) => {
    const runId = randomUUID();
    const controller = new AbortController();
    runs.set(runId, controller);
    // Exactly one terminal event (done or error) reaches the renderer, whatever the engine does.
    let finished = false;
    const send = (event: DiagnosisEvent) => {
      if (finished) return;
      if (event.type === 'done' || event.type === 'error') finished = true;
      deps.emit(DiagnosisChannel.event, { ...event, runId });
    };
    const failed = (e: unknown) =>
      send({
        type: 'error',
        runId,
        error: controller.signal.aborted
          ? { code: 'cancelled', message: 'The diagnosis was cancelled.' }
          : { code: 'engine-failed', message: `The diagnosis stopped with an error: ${(e as Error)?.message ?? String(e)}` },
      });
    let running: Promise<Report>;
    try {
      running = engine.diagnose(profile, { runId, rooms, signal: controller.signal, onEvent: send, ...(credentials ? { credentials } : {}) });
    } catch (e) {
      running = Promise.reject(e);
    }
    running.then((report) => send({ type: 'done', runId, report }), failed).finally(() => runs.delete(runId));
    return runId;
  };

  return {
    'app:info': async () => ok(appInfo()),

    'profiles:list': async () => {
      const loaded = await loadProfiles();
      if (!loaded.ok) return loaded;
      return ok(loaded.value.map((p): ProfileEntry => ({ id: p.id, name: p.name, notice: p.notice, description: p.description, profile: p })));
    },

    'profiles:validate': async ({ text }) => {
      const parsed = parseProfileJson(text);
      return ok(parsed.ok ? { valid: true, profile: parsed.profile } : { valid: false, errors: parsed.errors });
    },

    'diagnosis:start': async (request) => {
      const engine = deps.engine;
      if (!engine) return fail(IpcErrorCode.engineUnavailable, ENGINE_UNAVAILABLE_MESSAGE);
      let profile = request.profile;
      if (!profile) {
        const loaded = await loadProfiles();
        if (!loaded.ok) return loaded;
        profile = loaded.value.find((p) => p.id === request.profileId);
        if (!profile) return fail(IpcErrorCode.profileNotFound, `There is no built-in profile "${request.profileId}".`);
      }
      // Checked after the last await, so two quick clicks cannot both start a run.
      if (runs.size > 0) return fail(IpcErrorCode.runInProgress, 'A diagnosis is already running; cancel it or wait for it to finish.');
      return ok({ runId: runDiagnosis(engine, profile, request.rooms, request.credentials) });
    },

    'diagnosis:cancel': async ({ runId }) => {
      const controller = runs.get(runId);
      controller?.abort();
      return ok({ cancelled: controller !== undefined });
    },
  };
}
