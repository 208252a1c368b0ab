import { describe, expect, it, vi } from 'vitest';
import type { DiagnosisEvent } from '#common/report/progress';
import type { Report } from '#common/report/schema';
import { createHandlers, type DiagnosisEngine } from '#main/ipc/handlers';
import { CALL_TOO_LATE } from '#main/ipc/diagnosis-link';
import { PROFILES_DIR } from '#test/support/ipc-harness';

/**
 * Main's order on the shared link (docs/app.md, "Two sensors"): reachability of both sensors at
 * once, then the engine's quality streams (once the page's suite is finished), then the page's own
 * call (once the engine is finished). The engine is a fake that logs when it starts, when its
 * quality streams may start (`quality.after`) and when it finishes (released by the test).
 */
const LAB = {
  schemaVersion: 1 as const,
  id: 'lab',
  name: 'Lab',
  signaling: [],
  stun: [{ host: 'turn.lab.test', port: 3478 }],
  turn: [{ host: 'turn.lab.test', port: 3478, transport: 'udp' as const }],
  credentials: { type: 'static' as const, username: 'labuser', credential: 'labpass' },
  group: { mediaServers: [], udpPorts: [[10000, 60000]] as [number, number][] },
  addresses: { ipv4: [], ipv6: [] },
};

const REPORT: Report = {
  schemaVersion: 1,
  tool: { name: 'pathcheck', version: '0' },
  profile: { id: 'lab', name: 'Lab' },
  rooms: ['group'],
  startedAt: new Date(0).toISOString(),
  durationMs: 1,
  complete: true,
  host: { os: 'linux', interfaces: [], vpn: false, proxy: null },
  checks: [],
  ranges: [],
  nat: {
    mapping: 'unknown',
    filtering: 'unknown',
    behaveCompliant: null,
    publicAddress: null,
    method: 'none',
    notes: [],
  },
  verdicts: { group: { path: 'blocked', latency: 'none', confidence: 'measured', evidence: [], notes: [] } },
  firewall: { blocked: [], layer: 'unknown' },
  findings: [],
};

type EngineOptions = Parameters<DiagnosisEngine['diagnose']>[1];

function setup(webrtc: { waitMs?: number; connectDeadlineMs?: number; streamMs?: number } = {}) {
  const log: string[] = [];
  const options: EngineOptions[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const engine: DiagnosisEngine = {
    diagnose: async (_p, o) => {
      options.push(o);
      log.push('engine reachability');
      const stop = new Promise<void>((r) => o.signal.addEventListener('abort', () => r(), { once: true }));
      await Promise.race([o.quality?.after, stop]);
      log.push('engine quality');
      await Promise.race([finished, stop]);
      log.push('engine done');
      return REPORT;
    },
  };
  const events: DiagnosisEvent[] = [];
  const handlers = createHandlers({
    profilesDir: PROFILES_DIR,
    engine,
    emit: (_c, e) => events.push(e as DiagnosisEvent),
    resolveCredentials: async () => ({ username: 'labuser', credential: 'labpass' }),
    lookup: async () => '10.0.0.1',
    webrtc: { waitMs: webrtc.waitMs ?? 30_000, graceMs: 10, ...webrtc },
  });
  const start = async (page = true) => {
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: page });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.runId;
  };
  return { handlers, log, options, finish, events, start };
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('one link, two sensors: main decides who measures when', () => {
  it('the engine measures quality only after the page claimed the link, and the page calls only after the engine finished', async () => {
    const { handlers, log, options, finish, start, events } = setup();
    const runId = await start();
    // Reachability is not held: the engine starts and the page gets its plan at once.
    expect((await handlers['diagnosis:webrtc-config']({ runId })).ok).toBe(true);
    await tick();
    expect(log).toEqual(['engine reachability']);
    let answer: unknown = null;
    const claim = handlers['diagnosis:claim-link']({ runId }).then((a) => (answer = a));
    await vi.waitFor(() => expect(log).toEqual(['engine reachability', 'engine quality']));
    await tick();
    expect(answer).toBeNull(); // the engine's streams are still on the link
    finish();
    await claim;
    expect(log).toEqual(['engine reachability', 'engine quality', 'engine done']);
    expect(answer).toEqual({ ok: true, value: { granted: true } });
    // The engine's quality may start later than alone: its deadline is longer than its own 10 s.
    expect(options[0]!.deadlineMs).toBeGreaterThan(10_000);
    expect(events.some((e) => e.type === 'done')).toBe(false); // main still waits for the page's call
    await handlers['diagnosis:submit-webrtc']({ runId, checks: [] });
    await vi.waitFor(() => expect(events.some((e) => e.type === 'done')).toBe(true));
  });

  it('a page with no call to make opens the engine\u2019s turn by submitting its suite', async () => {
    const { handlers, log, finish, start, events } = setup();
    const runId = await start();
    await tick();
    expect(log).toEqual(['engine reachability']);
    await handlers['diagnosis:submit-webrtc']({ runId, checks: [] });
    await vi.waitFor(() => expect(log).toContain('engine quality'));
    finish();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'done')).toBe(true));
  });

  it('a page that never reports holds the engine\u2019s quality streams only for the suite\u2019s bounded time', async () => {
    const { log, finish, start } = setup({ connectDeadlineMs: 10, streamMs: 10 });
    await start();
    await tick();
    expect(log).toEqual(['engine reachability']);
    await vi.waitFor(() => expect(log).toContain('engine quality'), { timeout: 5000 });
    finish();
  });

  it('refuses the link when the call would not fit before main stops waiting for the page', async () => {
    const { handlers, finish, start } = setup({ waitMs: 500 });
    const runId = await start();
    finish();
    expect(await handlers['diagnosis:claim-link']({ runId })).toEqual({
      ok: true,
      value: { granted: false, reason: CALL_TOO_LATE },
    });
  });

  it('a cancel answers a waiting claim at once, refused', async () => {
    const { handlers, start } = setup();
    const runId = await start();
    const claim = handlers['diagnosis:claim-link']({ runId });
    await tick();
    await handlers['diagnosis:cancel']({ runId });
    expect(await claim).toMatchObject({ ok: true, value: { granted: false } });
  });

  it('without the page (no WebRTC suite) the engine runs as the CLI does: nothing to wait for, its own deadline', async () => {
    const { handlers, log, options, finish, start } = setup();
    const runId = await start(false);
    await vi.waitFor(() => expect(log).toEqual(['engine reachability', 'engine quality']));
    expect(options[0]!.quality).toEqual({ enabled: true });
    expect(options[0]!.deadlineMs).toBeUndefined();
    expect(await handlers['diagnosis:claim-link']({ runId })).toMatchObject({
      ok: false,
      error: { code: 'run-not-found' },
    });
    finish();
  });
});
