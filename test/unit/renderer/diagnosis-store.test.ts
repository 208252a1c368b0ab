// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PathcheckBridge } from '#common/ipc/bridge';
import type { DiagnosisEvent } from '#common/report/progress';
import { FLUSH_MS, useDiagnosisStore } from '#renderer/stores/diagnosis';

const RUN = '0b7e3f0c-3c1e-4a53-9d8e-2f6a1c9b5e11';
const OTHER = '9a1f2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';

/** A bridge whose events the test pushes by hand, counting live listeners. */
function fakeBridge(start: PathcheckBridge['diagnosis']['start']) {
  const listeners = new Set<(e: DiagnosisEvent) => void>();
  const bridge = {
    app: { info: vi.fn() },
    profiles: { list: vi.fn(), validate: vi.fn() },
    diagnosis: {
      start: vi.fn(start),
      cancel: vi.fn(async () => ({ ok: true as const, value: { cancelled: true } })),
      onEvent: (l: (e: DiagnosisEvent) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
  } as unknown as PathcheckBridge;
  window.pathcheck = bridge;
  return { bridge, listeners, push: (e: DiagnosisEvent) => [...listeners].forEach((l) => l(e)) };
}

const plan = (runId: string): DiagnosisEvent => ({
  type: 'plan',
  runId,
  checks: [{ id: 'dns:x', kind: 'dns', label: `DNS x (${runId})` }],
});
const check = (runId: string, host = 'x'): DiagnosisEvent => ({
  type: 'check',
  runId,
  result: { id: `dns:${host}`, kind: 'dns', host, status: 'pass', reason: 'ok', detail: `from ${runId}`, evidence: {} },
});

describe('useDiagnosisStore', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('keeps events that arrive before start() answers, and ignores other runs', async () => {
    const fake = fakeBridge(async () => {
      fake.push(plan(RUN)); // the engine is quicker than the IPC reply
      fake.push(plan(OTHER));
      return { ok: true, value: { runId: RUN } };
    });
    const store = useDiagnosisStore();
    await store.start({ profileId: 'zoom', rooms: ['group'] });
    fake.push(check(OTHER));
    fake.push(check(RUN));
    store.flush(); // progress is applied in ~100 ms batches; flush() applies it now
    expect(store.status).toBe('running');
    expect(store.plan.map((p) => p.label)).toEqual([`DNS x (${RUN})`]);
    expect([...store.results.values()].map((c) => c.detail)).toEqual([`from ${RUN}`]);
  });

  it('ends the run and drops its subscription on done', async () => {
    const fake = fakeBridge(async () => ({ ok: true, value: { runId: RUN } }));
    const store = useDiagnosisStore();
    await store.start({ profileId: 'zoom', rooms: ['group'] });
    expect(fake.listeners.size).toBe(1);
    fake.push({ type: 'done', runId: RUN, report: { schemaVersion: 1 } as never });
    expect(store.status).toBe('done');
    expect(store.report).toEqual({ schemaVersion: 1 });
    expect(fake.listeners.size).toBe(0);
  });

  it('marks the engine as unavailable and does not stay subscribed', async () => {
    const fake = fakeBridge(async () => ({ ok: false, error: { code: 'engine-unavailable', message: 'not here' } }));
    const store = useDiagnosisStore();
    await store.start({ profileId: 'zoom', rooms: ['group'] });
    expect(store.status).toBe('unavailable');
    expect(store.error).toEqual({ code: 'engine-unavailable', message: 'not here' });
    expect(fake.listeners.size).toBe(0);
  });

  it('turns an engine error event into failed, and a cancel into cancelled', async () => {
    const fake = fakeBridge(async () => ({ ok: true, value: { runId: RUN } }));
    const store = useDiagnosisStore();
    await store.start({ profileId: 'zoom', rooms: ['group'] });
    await store.cancel();
    expect(fake.bridge.diagnosis.cancel).toHaveBeenCalledWith(RUN);
    fake.push({ type: 'error', runId: RUN, error: { code: 'cancelled', message: 'The diagnosis was cancelled.' } });
    expect(store.status).toBe('cancelled');

    await store.start({ profileId: 'zoom', rooms: ['group'] });
    fake.push({ type: 'error', runId: RUN, error: { code: 'engine-failed', message: 'boom' } });
    expect(store.status).toBe('failed');
    expect(store.error).toEqual({ code: 'engine-failed', message: 'boom' });
  });

  it('applies streamed progress in ~100 ms batches, and the end of a run at once', async () => {
    vi.useFakeTimers();
    try {
      const fake = fakeBridge(async () => ({ ok: true, value: { runId: RUN } }));
      const store = useDiagnosisStore();
      await store.start({ profileId: 'zoom', rooms: ['group'] });
      fake.push(plan(RUN));
      fake.push(check(RUN));
      const applied = () => [store.plan.length, [...store.results.keys()]];
      expect(applied()).toEqual([0, []]);
      vi.advanceTimersByTime(FLUSH_MS - 1);
      expect(applied()).toEqual([0, []]);
      vi.advanceTimersByTime(1);
      expect(applied()).toEqual([1, ['dns:x']]);
      fake.push(check(RUN, 'y'));
      fake.push({ type: 'error', runId: RUN, error: { code: 'engine-failed', message: 'boom' } });
      expect(applied()).toEqual([1, ['dns:x', 'dns:y']]);
      expect(store.status).toBe('failed');
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores a second start while one is running', async () => {
    const fake = fakeBridge(async () => ({ ok: true, value: { runId: RUN } }));
    const store = useDiagnosisStore();
    await store.start({ profileId: 'zoom', rooms: ['group'] });
    await store.start({ profileId: 'zoom', rooms: ['group'] });
    expect(fake.bridge.diagnosis.start).toHaveBeenCalledOnce();
  });

  it('unsubscribes when the store is disposed', async () => {
    const fake = fakeBridge(async () => ({ ok: true, value: { runId: RUN } }));
    const store = useDiagnosisStore();
    await store.start({ profileId: 'zoom', rooms: ['group'] });
    expect(fake.listeners.size).toBe(1);
    store.$dispose();
    expect(fake.listeners.size).toBe(0);
  });
});
