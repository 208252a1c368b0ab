import type { AppInfo } from '#common/ipc/app';
import type { EventChannel, EventMap, Handlers } from '#common/ipc/contract';
import type { ProfileEntry } from '#common/ipc/profiles';
import { fail, IpcErrorCode, ok, type IpcResult } from '#common/ipc/result';
import { parseProfileJson, type Profile } from '#common/profile/schema';
import { isEnded, localDate, profileNotice } from '#common/profile/lifecycle';
import { parsePacAnswer } from '#node/host/facts';
import { FeedError, feedCache, fetchFeed, withFeedAddresses } from '#node/profiles/feed';
import { listProfiles } from '#node/profiles/store';
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
  /** The clock for end-of-service dates (tests inject one). */
  now?: () => Date;
  /** Published address-range feeds (userData/feeds); absent → profiles use the ranges they list. */
  feeds?: { cacheDir: string; ca?: string; deadlineMs?: number };
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
  const appInfo = (): AppInfo => ({
    name: deps.app?.name ?? 'Pathcheck',
    version: deps.app?.version ?? '0.0.0-dev',
    platform: process.platform,
    arch: process.arch,
    versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node },
  });

  const today = () => localDate(deps.now?.() ?? new Date());
  const loadProfiles = async (): Promise<IpcResult<Profile[]>> => {
    try {
      return ok(await listProfiles(deps.profilesDir, today()));
    } catch (e) {
      return fail(IpcErrorCode.profilesUnreadable, `The built-in profiles could not be read: ${(e as Error).message}`);
    }
  };

  const feeds = deps.feeds ? feedCache(deps.feeds.cacheDir) : null;
  /** A profile with its cached feed ranges as `addresses` (never fetched here), and their record. */
  const withCachedRanges = async (
    p: Profile,
  ): Promise<{ profile: Profile; feed?: { url: string; fetchedAt: string } }> => {
    if (!feeds || !p.addressFeed) return { profile: p };
    const cached = await feeds.load(p.addressFeed);
    return cached
      ? { profile: withFeedAddresses(p, cached), feed: { url: cached.url, fetchedAt: cached.fetchedAt } }
      : { profile: p };
  };

  const reports = deps.reports
    ? createReportsContext(deps.reports, deps.profilesDir, async (p) => (await withCachedRanges(p)).profile)
    : null;

  const diagnosis = createDiagnosisHandlers({
    engine: deps.engine,
    emit: deps.emit,
    loadProfiles,
    profilesDir: deps.profilesDir,
    today,
    withRanges: withCachedRanges,
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
      const day = today();
      return ok(
        loaded.value.map((p): ProfileEntry => ({
          id: p.id,
          name: p.name,
          notice: profileNotice(p, day),
          description: p.description,
          profile: p,
          ...(isEnded(p, day) ? { ended: true } : {}),
        })),
      );
    },

    'profiles:ranges': async ({ profileId, refresh }) => {
      const loaded = await loadProfiles();
      if (!loaded.ok) return loaded;
      const profile = loaded.value.find((p) => p.id === profileId);
      if (!profile) return fail(IpcErrorCode.profileNotFound, `There is no built-in profile "${profileId}".`);
      const feed = profile.addressFeed;
      if (!feed || !feeds) return ok({ feed: feed ? { url: feed.url } : null, cached: null });
      let refreshError: string | undefined;
      if (refresh) {
        try {
          // The system proxy for the feed's URL, as Chromium would use it.
          const pac = deps.resolveProxy ? await deps.resolveProxy(feed.url).catch(() => 'DIRECT') : 'DIRECT';
          const proxy = parsePacAnswer(pac);
          const ranges = await fetchFeed(feed, {
            deadlineMs: deps.feeds?.deadlineMs ?? 15_000,
            proxy: proxy && proxy.url.startsWith('http') ? { host: proxy.host, port: proxy.port } : null,
            ...(deps.feeds?.ca ? { ca: deps.feeds.ca } : {}),
            ...(deps.now ? { now: deps.now } : {}),
          });
          await feeds.save(ranges);
        } catch (e) {
          refreshError = e instanceof FeedError ? e.message : 'The address ranges could not be fetched.';
        }
      }
      const cached = await feeds.load(feed);
      return ok({
        feed: { url: feed.url },
        cached: cached ? { fetchedAt: cached.fetchedAt, ipv4: cached.ipv4.length, ipv6: cached.ipv6.length } : null,
        ...(refreshError ? { refreshError } : {}),
      });
    },

    'profiles:validate': async ({ text }) => {
      const parsed = parseProfileJson(text);
      return ok(parsed.ok ? { valid: true, profile: parsed.profile } : { valid: false, errors: parsed.errors });
    },

    ...diagnosis,

    'proxy-auth:answer': (request) => (deps.proxyLogin ? deps.proxyLogin.answer(request) : proxyLoginUnavailable()),

    ...(reports ? createHistoryHandlers(reports) : unavailableReportsHandlers.history),
    ...(reports && deps.firewall
      ? createFirewallHandlers(reports, deps.firewall)
      : unavailableReportsHandlers.firewall),
  };
}
