import { describe, expect, it, vi } from 'vitest';
import type { DiagnosisEvent } from '#common/report/progress';
import type { Report } from '#common/report/schema';
import { createHandlers, ENGINE_UNAVAILABLE_MESSAGE, type DiagnosisEngine } from '#main/ipc/handlers';
import { PROFILES_DIR } from '#test/support/ipc-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function setup(engine?: DiagnosisEngine) {
  const events: DiagnosisEvent[] = [];
  const handlers = createHandlers({
    profilesDir: PROFILES_DIR,
    engine,
    app: { name: 'Pathcheck', version: '1.2.3' },
    emit: (channel, payload) => {
      expect(channel).toBe('diagnosis:event');
      events.push(payload as DiagnosisEvent);
    },
  });
  return { handlers, events };
}

/** The smallest report the schema accepts; the engine's own tests cover real ones. */
function fakeReport(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'pathcheck', version: '0.0.0' },
    profile: { id: 'twilio-video', name: 'Twilio' },
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
    verdicts: {},
    firewall: { blocked: [], layer: 'unknown' },
    findings: [],
  };
}

/** An engine whose run the test finishes by hand. */
function manualEngine() {
  let finish!: (r: Report) => void;
  let failRun!: (e: Error) => void;
  const engine = {
    diagnose: vi.fn<DiagnosisEngine['diagnose']>(
      (_profile, opts) =>
        new Promise<Report>((resolve, reject) => {
          finish = resolve;
          failRun = reject;
          opts.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    ),
  };
  return { engine, finish: (r: Report) => finish(r), fail: (e: Error) => failRun(e) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('createHandlers', () => {
  it('app:info reports the version and platform', async () => {
    const { handlers } = setup();
    const r = await handlers['app:info'](undefined);
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        name: 'Pathcheck',
        version: '1.2.3',
        platform: process.platform,
        arch: process.arch,
      }),
    });
  });

  it('profiles:list returns the built-in profiles, Twilio first with its end-of-service notice', async () => {
    const { handlers } = setup();
    const r = await handlers['profiles:list'](undefined);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value[0]?.id).toBe('twilio-video');
    expect(r.value[0]?.notice).toMatch(/2026-12-05/);
    expect(r.value.map((e) => e.id)).toEqual(
      expect.arrayContaining(['twilio-video', 'zoom', 'livekit-cloud', 'jitsi', 'custom']),
    );
    for (const e of r.value) expect(e.profile.id).toBe(e.id);
  });

  it('profiles:list fails plainly when the directory is missing', async () => {
    const handlers = createHandlers({ profilesDir: '/nonexistent/pathcheck-profiles', emit: () => {} });
    const r = await handlers['profiles:list'](undefined);
    expect(r).toMatchObject({ ok: false, error: { code: 'profiles-unreadable' } });
  });

  it('profiles:validate returns the profile, or the field errors', async () => {
    const { handlers } = setup();
    const good = JSON.stringify({
      schemaVersion: 1,
      id: 'lab',
      name: 'Lab',
      stun: [{ host: 'stun.example.com', port: 3478 }],
      p2p: { udpPorts: [[10000, 20000]] },
    });
    expect(await handlers['profiles:validate']({ text: good })).toMatchObject({
      ok: true,
      value: { valid: true, profile: { id: 'lab' } },
    });
    const bad = good.replace('3478', '70000');
    expect(await handlers['profiles:validate']({ text: bad })).toEqual({
      ok: true,
      value: { valid: false, errors: [{ path: 'stun[0].port', message: 'must be 1-65535' }] },
    });
    expect(await handlers['profiles:validate']({ text: '{' })).toMatchObject({
      ok: true,
      value: { valid: false, errors: [{ path: '(root)' }] },
    });
  });

  it('diagnosis:start says plainly that there is no engine in this build', async () => {
    const { handlers, events } = setup();
    const r = await handlers['diagnosis:start']({ profileId: 'twilio-video', rooms: ['group', 'p2p'] });
    expect(r).toEqual({ ok: false, error: { code: 'engine-unavailable', message: ENGINE_UNAVAILABLE_MESSAGE } });
    expect(events).toEqual([]);
  });

  it('diagnosis:start refuses an unknown profile id', async () => {
    const { handlers } = setup(manualEngine().engine);
    expect(await handlers['diagnosis:start']({ profileId: 'nope', rooms: ['group'] })).toMatchObject({
      ok: false,
      error: { code: 'profile-not-found' },
    });
  });

  it('runs the engine with the profile, rooms and a signal, and tags every event with the run id', async () => {
    const run = manualEngine();
    const { handlers, events } = setup(run.engine);
    const r = await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['group'] });
    if (!r.ok) throw new Error(r.error.message);
    const { runId } = r.value;
    expect(runId).toMatch(UUID);

    const [profile, opts] = run.engine.diagnose.mock.calls[0]!;
    expect(profile.id).toBe('zoom');
    expect(opts).toMatchObject({ runId, rooms: ['group'] });
    expect(opts.signal.aborted).toBe(false);

    opts.onEvent({ type: 'plan', runId, checks: [] });
    opts.onEvent({ type: 'plan', runId: 'someone-else', checks: [] });
    const report = fakeReport();
    opts.onEvent({ type: 'done', runId, report });
    opts.onEvent({ type: 'plan', runId, checks: [] }); // after the end: dropped
    run.finish(report);
    await flush();

    expect(events.map((e) => [e.type, e.runId])).toEqual([
      ['plan', runId],
      ['plan', runId],
      ['done', runId],
    ]);
  });

  it('sends the terminal event itself when the engine only returns the report', async () => {
    const run = manualEngine();
    const { handlers, events } = setup(run.engine);
    const r = await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['p2p'] });
    if (!r.ok) throw new Error(r.error.message);
    run.finish(fakeReport());
    await flush();
    expect(events).toEqual([{ type: 'done', runId: r.value.runId, report: fakeReport() }]);
  });

  it('reports an engine failure as an error event', async () => {
    const run = manualEngine();
    const { handlers, events } = setup(run.engine);
    const r = await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['p2p'] });
    if (!r.ok) throw new Error(r.error.message);
    run.fail(new Error('socket exploded'));
    await flush();
    expect(events).toEqual([
      {
        type: 'error',
        runId: r.value.runId,
        error: { code: 'engine-failed', message: expect.stringContaining('socket exploded') },
      },
    ]);
  });

  it('runs one diagnosis at a time, and cancel aborts it', async () => {
    const run = manualEngine();
    const { handlers, events } = setup(run.engine);
    const first = await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['group'] });
    if (!first.ok) throw new Error(first.error.message);
    expect(await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['group'] })).toMatchObject({
      ok: false,
      error: { code: 'run-in-progress' },
    });

    const signal = run.engine.diagnose.mock.calls[0]![1].signal;
    expect(await handlers['diagnosis:cancel']({ runId: first.value.runId })).toEqual({
      ok: true,
      value: { cancelled: true },
    });
    expect(signal.aborted).toBe(true);
    await flush();
    expect(events).toEqual([
      {
        type: 'error',
        runId: first.value.runId,
        error: { code: 'cancelled', message: 'The diagnosis was cancelled.' },
      },
    ]);

    expect(await handlers['diagnosis:cancel']({ runId: first.value.runId })).toEqual({
      ok: true,
      value: { cancelled: false },
    });
    expect(await handlers['diagnosis:start']({ profileId: 'zoom', rooms: ['group'] })).toMatchObject({ ok: true });
  });

  it('accepts a whole (imported) profile instead of an id', async () => {
    const run = manualEngine();
    const { handlers } = setup(run.engine);
    const profile = {
      schemaVersion: 1 as const,
      id: 'lab',
      name: 'Lab',
      stun: [{ host: 'stun.example.com', port: 3478 }],
      p2p: { udpPorts: [[10000, 20000]] as [number, number][] },
    };
    const { DiagnosisStartRequestSchema } = await import('#common/ipc/diagnosis');
    const r = await handlers['diagnosis:start'](DiagnosisStartRequestSchema.parse({ profile, rooms: ['p2p'] }));
    expect(r.ok).toBe(true);
    expect(run.engine.diagnose.mock.calls[0]![0]).toMatchObject({ id: 'lab', signaling: [], turn: [] });
  });
});
