// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Profile } from '#common/profile/schema';
import { ReportSchema, type Report } from '#common/report/schema';
import type { DiagnosisEngine } from '#main/ipc/handlers';
import { createBridge } from '#preload/bridge';
import { useDiagnosisStore } from '#renderer/stores/diagnosis';
import { createIpcHarness } from '../../support/ipc-harness';

const FIXTURE = ReportSchema.parse(
  JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/reports/only-tcp-443.json'), 'utf8')),
);
// Without the lab's CA path (it exists only while the lab runs; main reads tls.ca before starting).
const { tls: _labCa, ...LAB } = JSON.parse(
  readFileSync(resolve(__dirname, '../../lab/profile.json'), 'utf8'),
) as Profile;

/** An engine that answers with the recorded only-tcp-443 report (plus whatever the test sets). */
function engine(report: () => Report): DiagnosisEngine & { calls: number } {
  const e = {
    calls: 0,
    diagnose: async (_p: Profile, o: { runId: string; onEvent: (x: never) => void }) => {
      e.calls++;
      return { ...report(), id: o.runId, checks: report().checks.filter((c) => c.kind !== 'webrtc') };
    },
  };
  return e as unknown as DiagnosisEngine & { calls: number };
}

function setup(eng: DiagnosisEngine) {
  const harness = createIpcHarness({ engine: eng });
  window.pathcheck = createBridge(harness.transport);
  return harness;
}

describe('a run through main\u2019s real handlers (happy-dom: no RTCPeerConnection)', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('tells main the suite cannot run here; main notes it in the report and sends done', async () => {
    const harness = setup(engine(() => FIXTURE));
    const store = useDiagnosisStore();
    await store.start({ profile: LAB, rooms: ['group', 'p2p'] });
    await vi.waitFor(() => expect(store.status).toBe('done'));
    expect(store.suite).toBe('unsupported');
    expect(store.report?.findings).toContainEqual(
      expect.objectContaining({ code: 'webrtc-error', message: expect.stringContaining('RTCPeerConnection') }),
    );
    const start = harness.emitted.length;
    expect(start).toBeGreaterThan(0);
    // The ladder marks the rung the verdict chose.
    expect(store.ladder.group?.find((r) => r.chosen)?.rung).toBe('turn-tls');
    expect(store.ladder.p2p?.find((r) => r.chosen)?.rung).toBe('turn-tls');
    expect(store.progress.fraction).toBe(1);
  });

  it('re-runs the same request', async () => {
    const eng = engine(() => FIXTURE);
    setup(eng);
    const store = useDiagnosisStore();
    await store.start({ profile: LAB, rooms: ['group'] });
    await vi.waitFor(() => expect(store.status).toBe('done'));
    await store.rerun();
    await vi.waitFor(() => expect(store.status).toBe('done'));
    expect(eng.calls).toBe(2);
    expect(store.rooms).toEqual(['group']);
  });

  it('calls it "no network" when not one name resolved', async () => {
    const offline = (): Report => ({
      ...FIXTURE,
      checks: FIXTURE.checks
        .filter((c) => c.kind === 'dns')
        .map((c) => ({ ...c, status: 'fail' as const, reason: 'dns-failed', detail: 'no answer' })),
    });
    setup(engine(offline));
    const store = useDiagnosisStore();
    await store.start({ profile: LAB, rooms: ['group'] });
    await vi.waitFor(() => expect(store.status).toBe('done'));
    expect(store.noNetwork).toBe(true);
  });

  it('shows an invalid imported profile as a refused request, not a crash', async () => {
    setup(engine(() => FIXTURE));
    const store = useDiagnosisStore();
    await store.start({
      profile: { ...LAB, turn: [{ host: 'x', port: 70000, transport: 'udp' }] } as Profile,
      rooms: ['group'],
    });
    expect(store.status).toBe('failed');
    expect(store.error).toMatchObject({
      code: 'invalid-payload',
      message: expect.stringContaining('profile.turn[0].port'),
    });
  });
});
