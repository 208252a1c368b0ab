import type { AppInfo } from '../../common/ipc/app';
import type { EventChannel, EventMap, Handlers } from '../../common/ipc/contract';
import type { ProfileEntry } from '../../common/ipc/profiles';
import { fail, IpcErrorCode, ok, type IpcResult } from '../../common/ipc/result';
import { parseProfileJson, type Profile } from '../../common/profile/schema';
import { listProfiles } from '../../node/profiles/store';
import { createDiagnosisHandlers, type DiagnosisDeps, type DiagnosisEngine } from './diagnosis-handlers';
import { createFirewallHandlers, type FirewallDeps } from './firewall-handlers';
import { createHistoryHandlers } from './history-handlers';
import { createReportsContext, type ReportsDeps } from './reports-context';
import { unavailableReportsHandlers } from './reports-unavailable';
import { proxyLoginUnavailable, type ProxyLogin } from '../proxy-login';

export { ENGINE_UNAVAILABLE_MESSAGE, type DiagnosisEngine } from './diagnosis-handlers';

export interface HandlerDeps {
  /** Directory of the built-in profiles (`resources/profiles`, or its packaged copy). */
  profilesDir: string;
  /** Absent until the engine is wired in; then `diagnosis:start` answers `engine-unavailable`. */
  engine?: DiagnosisEngine;
  /** Electron's `session.defaultSession.resolveProxy`, so the engine sees the proxy Chromium uses. */
  resolveProxy?: DiagnosisDeps['resolveProxy'];
  /** Remembered credentials (safeStorage, credentials-store.ts); absent → nothing is remembered. */
  credentialStore?: DiagnosisDeps['credentialStore'];
  /** Credential resolution and WebRTC waiting, replaceable in tests (diagnosis-handlers.ts). */
  resolveCredentials?: DiagnosisDeps['resolveCredentials'];
  webrtc?: DiagnosisDeps['webrtc'];
  /** Name → address for the WebRTC suite's ICE URLs (default: the system resolver); tests keep DNS out. */
  lookup?: DiagnosisDeps['lookup'];
  /** Sends an event to the renderer (main: every window it owns; harness: the test page). */
  emit<E extends EventChannel>(channel: E, payload: EventMap[E]): void;
  /** Name and version for `app:info`; main passes Electron's `app.getName()` / `app.getVersion()`. */
  app?: { name: string; version: string };
  /** History, PDF and save dialog (reports-context.ts); absent → those channels answer `history-unavailable`. */
  reports?: ReportsDeps;
  /** Detection, elevated apply and re-check for "fix my firewall" (firewall-handlers.ts); needs `reports`. */
  firewall?: FirewallDeps;
  /** Runs before the page's WebRTC suite gets its plan (diagnosis-handlers.ts). */
  prepareBrowser?: DiagnosisDeps['prepareBrowser'];
  /** Chromium's proxy sign-in (proxy-login.ts); absent → `proxy-auth:answer` answers `proxy-login-unavailable`. */
  proxyLogin?: Pick<ProxyLogin, 'answer'>;
}

/**
 * Builds the functions main registers for each invoke channel. They take already-validated
 * payloads (see handle.ts) and return results; they know nothing about Electron, so the Chromium
 * e2e harness and unit tests call exactly these.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  const reports = deps.reports ? createReportsContext(deps.reports, deps.profilesDir) : null;

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

  const diagnosis = createDiagnosisHandlers({
    engine: deps.engine,
    emit: deps.emit,
    loadProfiles,
    ...(deps.resolveProxy ? { resolveProxy: deps.resolveProxy } : {}),
    ...(deps.credentialStore ? { credentialStore: deps.credentialStore } : {}),
    ...(deps.resolveCredentials ? { resolveCredentials: deps.resolveCredentials } : {}),
    ...(deps.webrtc ? { webrtc: deps.webrtc } : {}),
    ...(deps.prepareBrowser ? { prepareBrowser: deps.prepareBrowser } : {}),
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
    // Every completed diagnosis goes to history (saved in the background; failures are logged).
    onCompleted: (runId, report, profile) => reports?.completed(runId, report, profile),
  });

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

    ...diagnosis,

    'proxy-auth:answer': (request) => (deps.proxyLogin ? deps.proxyLogin.answer(request) : proxyLoginUnavailable()),

    ...(reports ? createHistoryHandlers(reports) : unavailableReportsHandlers.history),
    ...(reports && deps.firewall ? createFirewallHandlers(reports, deps.firewall) : unavailableReportsHandlers.firewall),
  };
}
