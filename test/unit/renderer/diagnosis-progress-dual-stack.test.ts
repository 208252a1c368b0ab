// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Profile } from '#common/profile/schema';
import { v6Id } from '#common/report/family';
import type { DiagnosisEvent } from '#common/report/progress';
import { ReportSchema, type Report } from '#common/report/schema';
import type { DiagnosisEngine } from '#main/ipc/handlers';
import { planChecks } from '#node/engine/plan';
import { createBridge } from '#preload/bridge';
import { useDiagnosisStore } from '#renderer/stores/diagnosis';
import { createIpcHarness } from '../../support/ipc-harness';

const REPORT = ReportSchema.parse(
  JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/reports/v6-dropped.json'), 'utf8')),
);
const { tls: _labCa, ...LAB } = JSON.parse(
  readFileSync(resolve(__dirname, '../../lab/profile.json'), 'utf8'),
) as Profile;

describe('live progress of a dual-stack run', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('counts the IPv6 twins apart from the IPv4 checks while the run goes on', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((ok) => (release = ok));
    const eng = {
      diagnose: async (profile: Profile, o: { runId: string; onEvent: (e: DiagnosisEvent) => void }) => {
        const v4 = planChecks(profile, { rooms: ['group', 'p2p'], hasCredentials: true });
        // As the engine does: the plan again once names resolved, now with the IPv6 twins.
        const dual = v4.flatMap((p) => (p.kind === 'dns' ? [p] : [p, { ...p, id: v6Id(p.id), family: 6 as const }]));
        o.onEvent({ type: 'plan', runId: o.runId, checks: v4 });
        o.onEvent({ type: 'plan', runId: o.runId, checks: dual });
        const dns = REPORT.checks.filter((c) => c.kind === 'dns');
        const turn6 = REPORT.checks.find((c) => c.id === 'turn:udp:turn.lab.test:3478/v6')!;
        for (const result of [...dns, turn6]) o.onEvent({ type: 'check', runId: o.runId, result });
        await gate;
        return { ...REPORT, id: o.runId, checks: REPORT.checks.filter((c) => c.kind !== 'webrtc') } as Report;
      },
    } as unknown as DiagnosisEngine;
    const harness = createIpcHarness({ engine: eng });
    window.pathcheck = createBridge(harness.transport);
    const store = useDiagnosisStore();
    await store.start({ profile: LAB, rooms: ['group', 'p2p'] });
    await vi.waitFor(() => expect(store.progress.v6Done).toBe(1));
    const planned = store.plan.length;
    const twins = store.plan.filter((p) => p.id.endsWith('/v6')).length;
    expect(twins).toBeGreaterThan(0);
    expect(store.progress.v6Total).toBe(twins);
    // The IPv4 count stays what an IPv4-only plan says, plus the page's WebRTC tests (1 STUN + 3 TURN × 2 + direct).
    expect(store.progress.total).toBe(planned - twins + 8);
    expect(store.progress.done).toBe(REPORT.checks.filter((c) => c.kind === 'dns').length);
    release();
    await vi.waitFor(() => expect(store.status).toBe('done'));
    expect(store.progress.v6Done).toBe(twins);
    expect(store.progress.fraction).toBe(1);
  });
});
