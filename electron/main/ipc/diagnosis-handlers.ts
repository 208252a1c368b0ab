import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isAbsolute } from 'node:path';
import type { Handlers } from '#common/ipc/contract';
import type { CredentialsStatus } from '#common/ipc/credentials';
import { DiagnosisChannel, type WebrtcPlan } from '#common/ipc/diagnosis';
import { fail, IpcErrorCode, ok, type IpcResult } from '#common/ipc/result';
import type { Credentials, Profile } from '#common/profile/schema';
import type { DiagnosisEvent } from '#common/report/progress';
import type { CheckResult, Report, RoomType } from '#common/report/schema';
import { resolveCredentials as resolveProfileCredentials } from '#node/credentials/index';
import { mergeResults } from '#node/engine/recheck';
import { CA_UNUSABLE, readCaPem } from '#node/profiles/ca';
import { localDate } from '#common/profile/lifecycle';
import { applyParameters } from '#common/profile/parameters';
import { reportedParameters, runnableProfile } from '#common/profile/prepare';
import { scopeOf, scopesFor } from '../credentials-store';
import {
  acceptWebrtcChecks,
  acceptWebrtcQuality,
  resolveIceHosts,
  WEBRTC_DEFAULTS,
  webrtcPlan,
} from './diagnosis-webrtc';
import type { DiagnosisDeps, DiagnosisEngine } from './diagnosis-deps';
import { linkTurns, type LinkTurns } from './diagnosis-link';
import { qualityRates, type QualityResult } from '#common/quality/schema';
import { SETTLE_EXTRA_MS } from '#common/quality/call-windows';

export type { DiagnosisDeps, DiagnosisEngine } from './diagnosis-deps';

/** A parameter error as the page shows it: led by the parameter's label, which the form shows too. */
function parameterSentence(profile: Profile, e: { name: string; message: string }): string {
  const label = profile.parameters?.find((q) => q.name === e.name)?.label;
  return label && !e.message.startsWith(label) ? `${label} ${e.message}` : e.message;
}

/** The engine's own overall deadline (its default, as in the CLI). */
const ENGINE_DEADLINE_MS = 10_000;

export const ENGINE_UNAVAILABLE_MESSAGE = 'The diagnosis engine is not available in this build yet.';
const NO_STORE_REASON = 'Credentials cannot be remembered in this build; they are used for this run only.';

interface Run {
  controller: AbortController;
  profile: Profile;
  /** Resolves to the TURN pair for this run (or null), never rejects. */
  credentials: Promise<{ value: { username: string; credential: string } | null; error?: string }>;
  /** Set when the page said it runs the WebRTC suite. */
  webrtc: null | {
    plan: Promise<WebrtcPlan>;
    /** The page's results, once submitted. */
    submitted: Promise<{ checks: CheckResult[]; quality?: QualityResult[]; error?: string }>;
    submit(value: { checks: CheckResult[]; quality?: QualityResult[]; error?: string }): void;
    done: boolean;
    /** Whose turn it is on the link (diagnosis-link.ts). */
    link: LinkTurns;
  };
}

/**
 * `diagnosis:*` and `credentials:*`. A run is the engine (in main) and the WebRTC suite (in the
 * page) side by side: main resolves the credentials once, hands the page this run's ICE servers,
 * streams the engine's progress, and sends `done` only with the merged report — or, if the page
 * never reports back within the deadline, with the engine's report and a note saying so.
 */
export function createDiagnosisHandlers(
  deps: DiagnosisDeps,
): Pick<
  Handlers,
  | 'diagnosis:start'
  | 'diagnosis:cancel'
  | 'diagnosis:webrtc-config'
  | 'diagnosis:submit-webrtc'
  | 'diagnosis:claim-link'
  | 'credentials:status'
  | 'credentials:forget'
> {
  /** Active runs. One at a time: two diagnoses at once would disturb each other's measurements. */
  const runs = new Map<string, Run>();
  const resolveCreds = deps.resolveCredentials ?? ((c, o) => resolveProfileCredentials(c, o));
  const lookup =
    deps.lookup ??
    (async (host: string) => (await dnsLookup(host, { family: 4 }).catch(() => dnsLookup(host))).address);
  // The page's suite and call are bounded by its knobs; the engine's quality streams wait for the
  // suite (at most suiteWaitMs), so its deadline is that much longer, and main waits for the call too.
  const knobs = { ...WEBRTC_DEFAULTS, ...deps.webrtc };
  const suiteWaitMs = knobs.connectDeadlineMs + knobs.streamMs + 2000;
  // each direction may sample up to SETTLE_EXTRA_MS longer while the browser's sender settles
  const callMs =
    knobs.connectDeadlineMs +
    (knobs.qualityDirectionMs == null ? 0 : 2 * (knobs.qualityDirectionMs + SETTLE_EXTRA_MS)) +
    1000;
  const engineDeadlineMs = ENGINE_DEADLINE_MS + suiteWaitMs;
  const waitMs = deps.webrtc?.waitMs ?? engineDeadlineMs + callMs;
  const graceMs = deps.webrtc?.graceMs ?? 1_500;

  /** `extra`: what the report's `profile` also records (parameter values, where its ranges came from). */
  const runDiagnosis = (
    engine: DiagnosisEngine,
    profile: Profile,
    rooms: RoomType[],
    effective: Credentials,
    wantWebrtc: boolean,
    extra: Partial<Pick<Report['profile'], 'parameters' | 'addressFeed'>> = {},
  ): string => {
    const runId = randomUUID();
    const controller = new AbortController();
    const t0 = Date.now();
    const credentials: Run['credentials'] = resolveCreds(effective, {
      deadlineMs: 5000,
      signal: controller.signal,
    }).then(
      (value) => ({ value: value ? { username: value.username, credential: value.credential } : null }),
      (e: unknown) => ({ value: null, error: (e as Error)?.message ?? String(e) }),
    );
    let submit!: (v: { checks: CheckResult[]; quality?: QualityResult[]; error?: string }) => void;
    const run: Run = {
      controller,
      profile,
      credentials,
      webrtc: wantWebrtc
        ? {
            plan: Promise.all([
              credentials,
              resolveIceHosts(profile, lookup),
              deps.prepareBrowser?.(profile).catch(() => undefined),
            ]).then(([c, addresses]) => webrtcPlan(runId, profile, c.value, c.error, deps.webrtc, addresses)),
            submitted: new Promise((resolve) => (submit = resolve)),
            submit: (v) => submit(v),
            done: false,
            link: linkTurns({ suiteWaitMs, callMs, endsAt: t0 + waitMs, signal: controller.signal }),
          }
        : null,
    };
    runs.set(runId, run);

    // Exactly one terminal event (done or error) reaches the renderer, whatever the engine does.
    let finished = false;
    let engineDone = false;
    const send = (event: DiagnosisEvent) => {
      if (finished) return;
      if (event.type === 'done' || event.type === 'error') finished = true;
      deps.emit(DiagnosisChannel.event, { ...event, runId });
    };
    // The engine's own `done` is held back: the run is done when the WebRTC results are merged.
    const fromEngine = (event: DiagnosisEvent) => {
      if (engineDone) return;
      if (event.type === 'done') {
        engineDone = true;
        return;
      }
      send(event);
    };
    const failed = (e: unknown) =>
      send({
        type: 'error',
        runId,
        error: controller.signal.aborted
          ? { code: 'cancelled', message: 'The diagnosis was cancelled.' }
          : {
              code: 'engine-failed',
              message: `The diagnosis stopped with an error: ${(e as Error)?.message ?? String(e)}`,
            },
      });

    const start = async (): Promise<Report> => {
      // Twilio NTS tokens come from a web API: fetch once and give the engine the pair. Static and
      // TURN REST credentials are computed locally, so the engine starts at once and resolves its own.
      let pair: { username: string; credential: string } | null | undefined;
      let engineProfile = profile;
      if (effective.type === 'twilio-nts') {
        const c = await credentials;
        pair = c.value;
        // Without a pair the engine would ask the API again; it reports the missing credentials itself.
        if (!pair) engineProfile = { ...profile, credentials: { type: 'none' } };
      } else {
        engineProfile = { ...profile, credentials: effective };
      }
      return engine.diagnose(engineProfile, {
        runId,
        rooms,
        signal: controller.signal,
        onEvent: fromEngine,
        quality: { enabled: true, ...(run.webrtc ? { after: run.webrtc.link.engineTurn } : {}) },
        ...(run.webrtc ? { deadlineMs: engineDeadlineMs } : {}),
        ...(pair ? { credentials: pair } : {}),
        ...(deps.resolveProxy ? { resolveProxy: deps.resolveProxy } : {}),
      });
    };

    const withWebrtc = async (report: Report): Promise<Report> => {
      const w = run.webrtc;
      if (controller.signal.aborted) throw new Error('cancelled');
      if (!w) return report;
      const remaining = Math.max(graceMs, t0 + waitMs - Date.now());
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), remaining)));
      const aborted = new Promise<null>((resolve) =>
        controller.signal.addEventListener('abort', () => resolve(null), { once: true }),
      );
      const got = await Promise.race([w.submitted, timedOut, aborted]);
      clearTimeout(timer);
      w.done = true;
      if (controller.signal.aborted) throw new Error('cancelled');
      if (!got) {
        return {
          ...report,
          findings: [
            ...report.findings,
            {
              code: 'webrtc-missing',
              severity: 'info',
              message:
                'The in-app WebRTC test did not report back in time; the verdicts rest on the engine\u2019s probes alone.',
            },
          ],
        };
      }
      const quality = got.quality ?? [];
      const merged =
        got.checks.length || quality.length
          ? mergeResults(profile, report, { checks: got.checks, quality })
          : { ...report };
      // The run took as long as its slower half (usually the WebRTC stream).
      merged.durationMs = Math.max(report.durationMs, Date.now() - t0);
      if (got.error) {
        merged.findings = [
          ...merged.findings,
          { code: 'webrtc-error', severity: 'warn', message: `The in-app WebRTC test could not run: ${got.error}` },
        ];
      }
      return merged;
    };

    let running: Promise<Report>;
    try {
      running = start();
    } catch (e) {
      running = Promise.reject(e);
    }
    // Once the engine is finished, nothing of it is on the link: the page's call may start.
    const engineOffLink = () => run.webrtc?.link.engineDone();
    running.then(engineOffLink, engineOffLink);
    running
      .then(withWebrtc)
      // The report records the parameter values, so a re-check or rules later use the same servers.
      .then((report) => (Object.keys(extra).length ? { ...report, profile: { ...report.profile, ...extra } } : report))
      .then((report) => {
        if (controller.signal.aborted) return failed(new Error('cancelled'));
        send({ type: 'done', runId, report });
        deps.onCompleted?.(runId, report, profile);
      }, failed)
      .finally(() => {
        run.webrtc?.link.suiteDone();
        if (run.webrtc) run.webrtc.done = true;
        runs.delete(runId);
      });
    return runId;
  };

  const credentialStatus = (profile: Profile): CredentialsStatus =>
    deps.credentialStore?.status(scopesFor(profile)) ?? {
      storage: { available: false, reason: NO_STORE_REASON },
      saved: null,
    };

  /** The profile a credentials question is about: a built-in one by id, or the page's own (imported). */
  const targetProfile = async (
    target: ({ profileId: string } | { profile: Profile }) & { parameters?: Record<string, string> },
  ): Promise<IpcResult<Profile>> => {
    let profile: Profile | undefined;
    if ('profile' in target) profile = target.profile;
    else {
      const loaded = await deps.loadProfiles();
      if (!loaded.ok) return loaded;
      profile = loaded.value.find((p) => p.id === target.profileId);
      if (!profile) return fail(IpcErrorCode.profileNotFound, `There is no built-in profile "${target.profileId}".`);
    }
    // Unfilled placeholders name no real server, so nothing saved (always under real servers) matches.
    const filled = applyParameters(profile, target.parameters ?? {});
    return ok(filled.ok ? filled.profile : profile);
  };

  return {
    'diagnosis:start': async (request) => {
      const engine = deps.engine;
      if (!engine) return fail(IpcErrorCode.engineUnavailable, ENGINE_UNAVAILABLE_MESSAGE);
      let profile = request.profile;
      if (!profile) {
        const loaded = await deps.loadProfiles();
        if (!loaded.ok) return loaded;
        profile = loaded.value.find((p) => p.id === request.profileId);
        if (!profile) return fail(IpcErrorCode.profileNotFound, `There is no built-in profile "${request.profileId}".`);
      }
      // Placeholders filled in (every parameter valid, or the run does not start and the answer
      // names each one) and the notice dated: servers below — CA, remembered secrets — are the real ones.
      const declared = profile;
      const prepared = runnableProfile(profile, request.parameters, deps.today?.() ?? localDate());
      if (!prepared.ok) {
        return fail('invalid-parameters', `${prepared.errors.map((e) => parameterSentence(declared, e)).join('; ')}.`);
      }
      profile = prepared.profile;
      const reportedParams = reportedParameters(declared, request.parameters);
      // Built-in profiles only: an imported profile's feed URL is the page's, never fetched or trusted.
      const ranged = !request.profile && deps.withRanges ? await deps.withRanges(profile) : { profile };
      profile = ranged.profile;
      // A CA path is read here, asynchronously and bounded (readCaPem), and the engine gets the PEM
      // text. Whatever went wrong, the page hears one sentence: it must not learn from the app which
      // paths exist or what they hold. A page-supplied profile has no folder, so only absolute paths.
      const ca = profile.tls?.ca;
      if (ca) {
        try {
          if (request.profile && !ca.includes('-----BEGIN') && !isAbsolute(ca))
            throw new Error('relative path in a page-supplied profile');
          profile = { ...profile, tls: { ...profile.tls, ca: await readCaPem(ca, deps.profilesDir ?? process.cwd()) } };
        } catch {
          return fail('invalid-profile', CA_UNUSABLE);
        }
      }
      // Checked after the last await, so two quick clicks cannot both start a run.
      if (runs.size > 0)
        return fail(IpcErrorCode.runInProgress, 'A diagnosis is already running; cancel it or wait for it to finish.');
      let effective: Credentials = profile.credentials;
      let rememberError: string | undefined;
      if (request.credentials) {
        effective = request.credentials;
        if (request.remember && request.credentials.type !== 'none') {
          // Saved under what the secret unlocks (these servers, this kind, this token API), never the id.
          const saved = deps.credentialStore
            ? deps.credentialStore.save(
                scopeOf(profile, request.credentials),
                request.credentials,
                request.profile ? 'imported' : 'builtin',
              )
            : { ok: false as const, reason: NO_STORE_REASON };
          if (!saved.ok) rememberError = saved.reason;
        }
      } else if (request.useSavedCredentials) {
        // Only a secret saved for exactly these servers (and token API) is used; otherwise the profile's own.
        effective = deps.credentialStore?.load(scopesFor(profile)) ?? profile.credentials;
      }
      const runId = runDiagnosis(engine, profile, request.rooms, effective, request.webrtc === true, {
        ...(reportedParams ? { parameters: reportedParams } : {}),
        ...(ranged.feed ? { addressFeed: ranged.feed } : {}),
      });
      return ok({ runId, ...(rememberError ? { rememberError } : {}) });
    },

    'diagnosis:cancel': async ({ runId }) => {
      const run = runs.get(runId);
      run?.controller.abort();
      return ok({ cancelled: run !== undefined });
    },

    'diagnosis:webrtc-config': async ({ runId }) => {
      const run = runs.get(runId);
      if (!run?.webrtc || run.webrtc.done)
        return fail('run-not-found', 'No running diagnosis waits for WebRTC results under this id.');
      return ok(await run.webrtc.plan);
    },

    'diagnosis:submit-webrtc': async ({ runId, checks, quality, error }) => {
      const run = runs.get(runId);
      if (!run?.webrtc || run.webrtc.done)
        return ok({ accepted: false, rejected: [...checks, ...(quality ?? [])].map((c) => c.id) });
      const plan = await run.webrtc.plan;
      const { accepted, rejected } = acceptWebrtcChecks(plan, checks);
      const q = acceptWebrtcQuality(plan, quality ?? [], qualityRates(run.profile.quality));
      run.webrtc.link.suiteDone();
      run.webrtc.submit({
        checks: accepted,
        ...(q.accepted.length ? { quality: q.accepted } : {}),
        ...(error ? { error } : {}),
      });
      return ok({ accepted: true, rejected: [...rejected, ...q.rejected] });
    },

    'diagnosis:claim-link': async ({ runId }) => {
      const run = runs.get(runId);
      if (!run?.webrtc || run.webrtc.done)
        return fail('run-not-found', 'No running diagnosis waits for WebRTC results under this id.');
      return ok(await run.webrtc.link.claim());
    },

    'credentials:status': async (target) => {
      const profile = await targetProfile(target);
      return profile.ok ? ok(credentialStatus(profile.value)) : profile;
    },

    'credentials:forget': async (target) => {
      const profile = await targetProfile(target);
      return profile.ok ? ok({ forgotten: deps.credentialStore?.forget(scopesFor(profile.value)) ?? false }) : profile;
    },
  };
}
