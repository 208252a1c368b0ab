import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref, shallowRef, triggerRef } from 'vue';
import type { Unsubscribe } from '../../../electron/common/ipc/bridge';
import type { DiagnosisStartRequest } from '../../../electron/common/ipc/diagnosis';
import { IpcErrorCode, type IpcError } from '../../../electron/common/ipc/result';
import type { DiagnosisEvent, PlannedCheck } from '../../../electron/common/report/progress';
import type { CheckResult, Report } from '../../../electron/common/report/schema';
import { bridge, messageOf } from '../bridge';

export type RunStatus = 'idle' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled' | 'unavailable';

/**
 * One diagnosis run as the UI sees it. The store owns the subscription to main's progress events:
 * it subscribes when a run starts and unsubscribes when the run ends or the store is disposed, so
 * no component has to remember to clean up (CONVENTIONS.md habit 4).
 *
 * Events can arrive before `diagnosis.start` has answered with the run id (the engine starts at
 * once); they are held back and replayed once the id is known, and events of other runs are ignored.
 */
export const useDiagnosisStore = defineStore('diagnosis', () => {
  const status = ref<RunStatus>('idle');
  const runId = ref<string | null>(null);
  const error = ref<IpcError | null>(null);
  // Append-only logs and large reports: shallow refs, updated in place and triggered explicitly.
  const events = shallowRef<DiagnosisEvent[]>([]);
  const plan = shallowRef<PlannedCheck[]>([]);
  const results = shallowRef<Map<string, CheckResult>>(new Map());
  const report = shallowRef<Report | null>(null);

  const busy = computed(() => status.value === 'starting' || status.value === 'running');

  let unsubscribe: Unsubscribe | null = null;
  let early: DiagnosisEvent[] = [];

  function stopListening(): void {
    unsubscribe?.();
    unsubscribe = null;
    early = [];
  }

  function apply(event: DiagnosisEvent): void {
    events.value.push(event);
    triggerRef(events);
    switch (event.type) {
      case 'plan':
        plan.value = event.checks;
        break;
      case 'check':
        results.value.set(event.result.id, event.result);
        triggerRef(results);
        break;
      case 'done':
        report.value = event.report;
        status.value = 'done';
        stopListening();
        break;
      case 'error':
        error.value = event.error;
        status.value = event.error.code === 'cancelled' ? 'cancelled' : 'failed';
        stopListening();
        break;
      default:
        break;
    }
  }

  function onEvent(event: DiagnosisEvent): void {
    if (runId.value === null) {
      if (status.value === 'starting') early.push(event);
      return;
    }
    if (event.runId === runId.value && busy.value) apply(event);
  }

  async function start(request: DiagnosisStartRequest): Promise<void> {
    if (busy.value) return;
    stopListening();
    status.value = 'starting';
    runId.value = null;
    error.value = null;
    events.value = [];
    plan.value = [];
    results.value = new Map();
    report.value = null;
    try {
      unsubscribe = bridge().diagnosis.onEvent(onEvent);
      const result = await bridge().diagnosis.start(request);
      if (!result.ok) {
        stopListening();
        error.value = result.error;
        status.value = result.error.code === IpcErrorCode.engineUnavailable ? 'unavailable' : 'failed';
        return;
      }
      runId.value = result.value.runId;
      status.value = 'running';
      const pending = early;
      early = [];
      for (const event of pending) if (event.runId === runId.value && busy.value) apply(event);
    } catch (e) {
      stopListening();
      error.value = { code: 'bridge-unavailable', message: messageOf(e) };
      status.value = 'failed';
    }
  }

  /** Asks main to cancel; the run ends when the engine's `cancelled` error event arrives. */
  async function cancel(): Promise<void> {
    if (status.value !== 'running' || !runId.value) return;
    await bridge().diagnosis.cancel(runId.value);
  }

  /** Drops the subscription (also done automatically when the store is disposed). */
  function dispose(): void {
    stopListening();
  }
  onScopeDispose(dispose);

  return { status, runId, error, events, plan, results, report, busy, start, cancel, dispose };
});
