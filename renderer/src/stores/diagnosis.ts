import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, triggerRef } from 'vue';
import { webrtcTestOf } from '#common/analysis/ids';
import { ladderProgress, type RungProgress } from '#common/analysis/ladder-progress';
import { turnTransportOf } from '#common/analysis/rungs';
import type { Unsubscribe } from '#common/ipc/bridge';
import type { DiagnosisStartRequest } from '#common/ipc/diagnosis';
import { IpcErrorCode, type IpcError } from '#common/ipc/result';
import type { Profile } from '#common/profile/schema';
import { familyOf } from '#common/report/family';
import type { DiagnosisEvent, PlannedCheck } from '#common/report/progress';
import type { CheckResult, NatResult, RangeResult, Report, RoomType } from '#common/report/schema';
import { bridge, messageOf } from '../bridge';
import { runWebrtcSuite, webrtcAvailable } from '../webrtc/suite';
import { runPageQuality } from '../webrtc/page-quality';

export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled' | 'unavailable';
export type SuiteStatus = 'idle' | 'running' | 'done' | 'failed' | 'unsupported';

/** How often streamed progress reaches the views (Zettlr-style debounce): fast enough to feel live, cheap to render. */
export const FLUSH_MS = 100;

/** A rung of the live ladder, with the in-app WebRTC result for TURN rungs. */
export interface LiveRung extends RungProgress {
  webrtc: 'pending' | 'pass' | 'fail' | 'none';
  /** True for the rung the final verdict chose. */
  chosen: boolean;
}

/**
 * One diagnosis run as the UI sees it. The store owns the subscription to main's progress events:
 * it subscribes when a run starts and unsubscribes when the run ends or the store is disposed, so
 * no component has to remember to clean up. Progress is applied in
 * batches every {@link FLUSH_MS} ms; the end of a run is applied at once.
 *
 * It also runs the page's WebRTC suite for the run: main hands over this run's ICE servers and
 * credentials, the suite's checks light the ladder as they come, and the results go back to main,
 * whose `done` carries the merged report. Cancel stops both.
 *
 * Events can arrive before `diagnosis.start` has answered with the run id (the engine starts at
 * once); they are held back and replayed once the id is known, and events of other runs are ignored.
 */
export const useDiagnosisStore = defineStore('diagnosis', () => {
  const status = ref<RunStatus>('idle');
  const runId = ref<string | null>(null);
  const error = ref<IpcError | null>(null);
  /** Set when the user asked to remember credentials and main could not (no keychain…). */
  const rememberError = ref<string | null>(null);
  // Large maps and reports: shallow refs, updated in place and triggered explicitly.
  const plan = shallowRef<PlannedCheck[]>([]);
  const results = shallowRef<Map<string, CheckResult>>(new Map());
  const ranges = shallowRef<RangeResult[]>([]);
  const nat = shallowRef<NatResult | null>(null);
  const report = shallowRef<Report | null>(null);
  const webrtc = shallowRef<Map<string, CheckResult>>(new Map());
  const suite = ref<SuiteStatus>('idle');
  const profile = shallowRef<Profile | null>(null);
  const rooms = ref<RoomType[]>([]);
  let lastRequest: { request: DiagnosisStartRequest; profile: Profile | null } | null = null;

  const busy = computed(() => status.value === 'starting' || status.value === 'running');

  let unsubscribe: Unsubscribe | null = null;
  let early: DiagnosisEvent[] = [];
  let pending: Array<() => void> = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let suiteAbort: AbortController | null = null;

  function stopListening(): void {
    unsubscribe?.();
    unsubscribe = null;
    early = [];
  }

  /** Applies queued progress now (also what the debounce timer calls). */
  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const work = pending;
    pending = [];
    if (work.length === 0) return;
    for (const w of work) w();
    triggerRef(results);
    triggerRef(webrtc);
  }

  function schedule(work: () => void): void {
    pending.push(work);
    timer ??= setTimeout(flush, FLUSH_MS);
  }

  function apply(event: DiagnosisEvent): void {
    if (event.type === 'done' || event.type === 'error') {
      flush();
      stopListening();
      suiteAbort?.abort();
      if (event.type === 'done') {
        report.value = event.report;
        status.value = 'done';
      } else {
        error.value = event.error;
        status.value = event.error.code === 'cancelled' ? 'cancelled' : 'failed';
      }
      return;
    }
    schedule(() => {
      switch (event.type) {
        case 'plan':
          plan.value = event.checks;
          break;
        case 'check':
          results.value.set(event.result.id, event.result);
          break;
        case 'range':
          ranges.value = [...ranges.value.filter((r) => r.id !== event.result.id), event.result];
          break;
        case 'nat':
          nat.value = event.result;
          break;
      }
    });
  }

  function onEvent(event: DiagnosisEvent): void {
    if (runId.value === null) {
      if (status.value === 'starting') early.push(event);
      return;
    }
    if (event.runId === runId.value && busy.value) apply(event);
  }

  /** The page's half of the run: ICE servers from main, the suite, results back to main. Never throws. */
  async function runSuite(id: string): Promise<void> {
    const controller = new AbortController();
    suiteAbort = controller;
    suite.value = 'running';
    try {
      if (!webrtcAvailable()) {
        suite.value = 'unsupported';
        await bridge().diagnosis.submitWebrtc({
          runId: id,
          checks: [],
          error: 'this window has no WebRTC (RTCPeerConnection is missing).',
        });
        return;
      }
      const config = await bridge().diagnosis.webrtcConfig(id);
      if (!config.ok) {
        suite.value = 'failed';
        return;
      }
      const checks = await runWebrtcSuite(config.value, {
        signal: controller.signal,
        onCheck: (c) => schedule(() => webrtc.value.set(c.id, c)),
      });
      if (controller.signal.aborted) return;
      const quality = await runPageQuality(config.value, checks, {
        signal: controller.signal,
        // Main decides when the call may use the link (after the engine's quality streams).
        claimLink: async () => {
          const claimed = await bridge().diagnosis.claimLink(id);
          return claimed.ok && claimed.value.granted;
        },
      }).catch(() => []);
      if (controller.signal.aborted) return;
      await bridge().diagnosis.submitWebrtc({ runId: id, checks, ...(quality.length ? { quality } : {}) });
      suite.value = 'done';
    } catch (e) {
      suite.value = 'failed';
      try {
        if (!controller.signal.aborted)
          await bridge().diagnosis.submitWebrtc({ runId: id, checks: [], error: messageOf(e).slice(0, 400) });
      } catch {
        // main gives up waiting on its own and says so in the report
      }
    } finally {
      if (suiteAbort === controller) suiteAbort = null;
    }
  }

  /**
   * Starts a run. `forProfile` is the profile the live ladder is drawn for (the built-in one the id
   * names; an imported profile travels in the request itself).
   */
  async function start(request: DiagnosisStartRequest, forProfile?: Profile | null): Promise<void> {
    if (busy.value) return;
    stopListening();
    flush();
    suiteAbort?.abort();
    lastRequest = { request, profile: forProfile ?? null };
    status.value = 'starting';
    runId.value = null;
    error.value = null;
    rememberError.value = null;
    plan.value = [];
    results.value = new Map();
    ranges.value = [];
    nat.value = null;
    report.value = null;
    webrtc.value = new Map();
    suite.value = 'idle';
    profile.value = (request.profile as Profile | undefined) ?? forProfile ?? null;
    rooms.value = [...request.rooms];
    try {
      unsubscribe = bridge().diagnosis.onEvent(onEvent);
      const result = await bridge().diagnosis.start({ ...request, webrtc: true });
      if (!result.ok) {
        stopListening();
        error.value = result.error;
        status.value = result.error.code === IpcErrorCode.engineUnavailable ? 'unavailable' : 'failed';
        return;
      }
      runId.value = result.value.runId;
      rememberError.value = result.value.rememberError ?? null;
      status.value = 'running';
      void runSuite(result.value.runId);
      const held = early;
      early = [];
      for (const event of held) if (event.runId === runId.value && busy.value) apply(event);
    } catch (e) {
      stopListening();
      error.value = { code: 'bridge-unavailable', message: messageOf(e) };
      status.value = 'failed';
    }
  }

  /** Runs the last request again (same profile, rooms and credentials choice). */
  async function rerun(): Promise<void> {
    if (lastRequest) await start(lastRequest.request, lastRequest.profile);
  }

  /** Asks main to cancel and stops the suite; the run ends when main's `cancelled` event arrives. */
  async function cancel(): Promise<void> {
    if (status.value !== 'running' || !runId.value) return;
    suiteAbort?.abort();
    await bridge().diagnosis.cancel(runId.value);
  }

  /** Back to the start screen (keeps nothing of the last run). */
  function reset(): void {
    if (busy.value) return;
    status.value = 'idle';
    report.value = null;
    error.value = null;
    plan.value = [];
    results.value = new Map();
    webrtc.value = new Map();
  }

  /** The live ladder per room type: rungs from ladderProgress, the WebRTC result on TURN rungs, the chosen rung once done. */
  const ladder = computed<Partial<Record<RoomType, LiveRung[]>>>(() => {
    const p = profile.value;
    if (!p) return {};
    const final = report.value;
    const checks = final ? new Map(final.checks.map((c) => [c.id, c])) : results.value;
    const progress = ladderProgress(
      p,
      rooms.value,
      plan.value,
      checks,
      final?.ranges ?? ranges.value,
      final?.nat ?? nat.value,
    );
    const browser = final ? final.checks.filter((c) => c.kind === 'webrtc') : [...webrtc.value.values()];
    const wantWebrtc = p.turn.length > 0 && status.value !== 'idle';
    const webrtcState = (transport: string | null): LiveRung['webrtc'] => {
      if (!transport || !p.turn.some((t) => t.transport === transport)) return 'none';
      const mine = browser.filter(
        (c) => webrtcTestOf(c) === 'relay' && c.transport === transport && c.status !== 'skipped',
      );
      if (mine.some((c) => c.status === 'pass' || c.status === 'warn')) return 'pass';
      if (mine.length > 0) return 'fail';
      return wantWebrtc && (busy.value || suite.value === 'running') ? 'pending' : 'none';
    };
    const out: Partial<Record<RoomType, LiveRung[]>> = {};
    for (const room of ['group', 'p2p'] as const) {
      const rungs = progress[room];
      if (!rungs) continue;
      const chosen = final?.verdicts[room]?.path;
      out[room] = rungs.map((r) => ({
        ...r,
        webrtc: webrtcState(turnTransportOf(r.rung)),
        chosen: chosen === r.rung,
      }));
    }
    return out;
  });

  /**
   * Checks resolved so far / planned (engine and WebRTC), for the progress bar; the IPv6 twins of a
   * dual-stack plan are also counted apart (`v6Done`/`v6Total`), as every other view counts them.
   */
  const progress = computed(() => {
    const finished = (c: PlannedCheck) => results.value.has(c.id) || ranges.value.some((r) => r.id === c.id);
    const twins = plan.value.filter((c) => familyOf(c) === 6);
    const engineTotal = plan.value.length;
    const engineDone = plan.value.filter(finished).length;
    const p = profile.value;
    const webrtcTotal = p ? p.stun.length + p.turn.length * 2 + (p.p2p ? 1 : 0) : 0;
    const total = engineTotal + webrtcTotal;
    const done = status.value === 'done' ? total : engineDone + Math.min(webrtc.value.size, webrtcTotal);
    const v6Total = twins.length;
    const v6Done = status.value === 'done' ? v6Total : twins.filter(finished).length;
    return {
      done: done - v6Done,
      total: total - v6Total,
      v6Done,
      v6Total,
      fraction: total ? Math.min(1, done / total) : 0,
    };
  });

  /** "No network at all": the run finished, but not one of the service's names resolved. */
  const noNetwork = computed(() => {
    const r = report.value;
    if (!r) return false;
    const dns = r.checks.filter((c) => c.kind === 'dns');
    return dns.length > 0 && dns.every((c) => c.status === 'fail');
  });

  function dispose(): void {
    stopListening();
    suiteAbort?.abort();
    if (timer) clearTimeout(timer);
    timer = null;
    pending = [];
  }
  onScopeDispose(dispose);

  return {
    status,
    runId,
    error,
    rememberError,
    plan,
    results,
    ranges,
    nat,
    report,
    webrtc,
    suite,
    profile,
    rooms,
    busy,
    ladder,
    progress,
    noNetwork,
    start,
    rerun,
    cancel,
    reset,
    flush,
    dispose,
  };
});
