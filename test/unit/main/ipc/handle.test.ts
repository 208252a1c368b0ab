import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { requestSchemas, type Handlers, type InvokeChannel } from '#common/ipc/contract';
import { ok } from '#common/ipc/result';
import { registerHandlers, wrapHandler } from '#main/ipc/handle';
import { unavailableReportsHandlers } from '#main/ipc/reports-unavailable';
import { fakeInvokeEvent, FakeWebContents, ipcMain, resetElectronMock } from '../electron-mock';

vi.mock('electron', () => import('../electron-mock'));

const ORIGIN = 'app://pathcheck';
const RUN_ID = '0b7e3f0c-3c1e-4a53-9d8e-2f6a1c9b5e11';

function fakeHandlers(): Handlers {
  return {
    'app:info': vi.fn(async () =>
      ok({ name: 'Pathcheck', version: '1', platform: 'linux', arch: 'x64', versions: { node: '22' } }),
    ),
    'profiles:list': vi.fn(async () => ok([])),
    'profiles:validate': vi.fn(async () => ok({ valid: false as const, errors: [] })),
    'profiles:ranges': vi.fn(async () => ok({ feed: null, cached: null })),
    'diagnosis:start': vi.fn(async () => ok({ runId: RUN_ID })),
    'diagnosis:cancel': vi.fn(async () => ok({ cancelled: true })),
    'diagnosis:webrtc-config': vi.fn(async () =>
      ok({ runId: RUN_ID, servers: [], connectDeadlineMs: 1, streamMs: 1, packetRate: 1, direct: false }),
    ),
    'diagnosis:submit-webrtc': vi.fn(async () => ok({ accepted: true, rejected: [] })),
    'diagnosis:claim-link': vi.fn(async () => ok({ granted: true })),
    'credentials:status': vi.fn(async () => ok({ storage: { available: true as const }, saved: null })),
    'credentials:forget': vi.fn(async () => ok({ forgotten: false })),
    'proxy-auth:answer': vi.fn(async () => ok({ accepted: false })),
    // History, report and firewall channels: their own tests cover them; here they only need to exist.
    ...(Object.fromEntries(
      Object.entries({ ...unavailableReportsHandlers.history, ...unavailableReportsHandlers.firewall }).map(
        ([c, h]) => [c, vi.fn(h)],
      ),
    ) as unknown as typeof unavailableReportsHandlers.history & typeof unavailableReportsHandlers.firewall),
  };
}

describe('handle() wrapper', () => {
  let own: FakeWebContents;
  let handlers: Handlers;
  const log = vi.fn();

  beforeEach(() => {
    resetElectronMock();
    log.mockClear();
    own = new FakeWebContents(`${ORIGIN}/index.html`);
    handlers = fakeHandlers();
    registerHandlers(ipcMain as unknown as Electron.IpcMain, handlers, {
      policy: { origin: ORIGIN, isOwnWebContents: (id) => id === own.id },
      log,
    });
  });

  const call = (channel: InvokeChannel, event: Electron.IpcMainInvokeEvent, payload?: unknown) =>
    ipcMain.handlers.get(channel)!(event, payload) as Promise<unknown>;

  it('registers exactly the channels of the contract', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.keys(requestSchemas).sort());
  });

  it('passes a valid call from our window to the handler, parsed', async () => {
    const result = await call('diagnosis:start', fakeInvokeEvent(own), { profileId: 'twilio-video', rooms: ['group'] });
    expect(result).toEqual({ ok: true, value: { runId: RUN_ID } });
    expect(handlers['diagnosis:start']).toHaveBeenCalledExactlyOnceWith({
      profileId: 'twilio-video',
      rooms: ['group'],
    });
  });

  it('refuses a sender that is not one of our windows, even showing our origin', async () => {
    const foreign = new FakeWebContents(`${ORIGIN}/index.html`);
    const result = await call('profiles:list', fakeInvokeEvent(foreign));
    expect(result).toEqual({ ok: false, error: { code: 'forbidden-sender', message: expect.any(String) } });
    expect(handlers['profiles:list']).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('not-own-window'));
  });

  it('refuses a subframe of our own window, even on our origin', async () => {
    const result = await call('profiles:list', fakeInvokeEvent(own, own.subframe(`${ORIGIN}/index.html`)));
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(handlers['profiles:list']).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('subframe'));
  });

  it('refuses a frame that is not the main frame of its web contents', async () => {
    const other = { ...own.mainFrame, routingId: own.mainFrame.routingId + 1 };
    const result = await call('profiles:list', fakeInvokeEvent(own, other));
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });

  it.each(['https://evil.example/index.html', 'app://evil/index.html', 'file:///index.html', 'about:blank', ''])(
    'refuses our main frame when it shows %j',
    async (url) => {
      const frame = { ...own.mainFrame, url };
      const result = await call('profiles:list', fakeInvokeEvent(own, frame));
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
      expect(handlers['profiles:list']).not.toHaveBeenCalled();
    },
  );

  it('refuses a call whose frame is gone', async () => {
    const result = await call('profiles:list', fakeInvokeEvent(own, null));
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });

  it.each([
    ['diagnosis:start', { profileId: 'twilio-video', rooms: [] }, 'rooms'],
    ['diagnosis:start', { profileId: 'twilio-video', rooms: ['group', 'group'] }, 'rooms'],
    ['diagnosis:start', { profileId: 'twilio-video', rooms: ['mesh'] }, 'rooms[0]'],
    ['diagnosis:start', { rooms: ['group'] }, 'profileId'],
    ['diagnosis:start', { profileId: 'Not An Id!', rooms: ['group'] }, 'profileId'],
    ['diagnosis:start', { profileId: 'twilio-video', rooms: ['group'], extra: 1 }, 'extra'],
    ['diagnosis:cancel', { runId: 'not-a-uuid' }, 'runId'],
    ['diagnosis:cancel', undefined, '(root)'],
    ['profiles:validate', { text: 42 }, 'text'],
    ['profiles:validate', { text: 'x'.repeat(256 * 1024 + 1) }, 'text'],
    ['profiles:list', { anything: true }, '(root)'],
  ] as const)('refuses an invalid %s payload (%j), naming %s', async (channel, payload, field) => {
    const result = (await call(channel, fakeInvokeEvent(own), payload)) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(result.ok).toBe(false);
    expect(result.error.code).toBe('invalid-payload');
    expect(result.error.message).toContain(field);
    expect(handlers[channel]).not.toHaveBeenCalled();
  });

  describe('payloads that would make parsing itself throw answer invalid-payload, never reject', () => {
    const check = (evidence: unknown) => ({
      id: 'webrtc:direct',
      kind: 'webrtc',
      status: 'pass',
      reason: 'ok',
      detail: 'x',
      evidence,
    });
    const submit = (evidence: unknown) => ({ runId: RUN_ID, checks: [check(evidence)] });
    const nested = (n: number, wrap: (inner: unknown) => unknown): unknown => {
      let v: unknown = {};
      for (let i = 0; i < n; i++) v = wrap(v);
      return v;
    };
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;

    it.each([
      // The evidence size refinement (JSON.stringify) overflowed the stack: a RangeError, and the call rejected.
      ['200,000-deep evidence', submit(nested(200_000, (v) => ({ a: v }))), /nested more than 32 levels/],
      [
        '200,000-deep arrays as a profile',
        { profile: nested(200_000, (v) => [v]), rooms: ['group'] },
        /nested more than 32 levels/,
      ],
      // JSON.stringify throws a TypeError on both (structured clone carries them across IPC).
      ['a cycle in the evidence', submit(cyclic), /nested more than 32 levels/],
      ['a BigInt in the evidence', submit({ n: 10n }), /checks\[0\]\.evidence\.n: must be JSON data, not a bigint/],
      ['a Map in the evidence', submit({ m: new Map([[1, 2]]) }), /checks\[0\]\.evidence\.m: must be JSON data/],
      ['a million-element array', { runId: RUN_ID, checks: new Array(1_000_000).fill(0) }, /more than 200000 values/],
      ['9 MiB of strings', { runId: RUN_ID, checks: [], error: 'x'.repeat(9 * 1024 * 1024) }, /characters of text/],
    ])('%s', async (_name, payload, message) => {
      const result = (await call('diagnosis:submit-webrtc', fakeInvokeEvent(own), payload)) as {
        ok: false;
        error: { code: string; message: string };
      };
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
      expect(result.error.message).toMatch(message);
      expect(handlers['diagnosis:submit-webrtc']).not.toHaveBeenCalled();
    });

    it('a payload whose reading throws (an accessor) is refused, and the details are logged', async () => {
      const hostile = Object.defineProperty({}, 'runId', {
        enumerable: true,
        get: () => {
          throw new Error('boom');
        },
      });
      const result = await call('diagnosis:cancel', fakeInvokeEvent(own), hostile);
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
      expect(log).toHaveBeenCalledWith(expect.stringContaining('boom'));
    });

    it('the deepest legitimate payloads pass: a profile and WebRTC evidence as the suite builds them', async () => {
      const evidence = {
        url: 'turn:h:3478',
        candidates: [{ type: 'relay', address: '192.0.2.1', port: 1 }],
        pair: { local: { a: { b: { c: 1 } } } },
      };
      expect(await call('diagnosis:submit-webrtc', fakeInvokeEvent(own), submit(evidence))).toMatchObject({ ok: true });
      expect(handlers['diagnosis:submit-webrtc']).toHaveBeenCalledOnce();
    });
  });

  it('a handler that answers something other than a result becomes internal', async () => {
    vi.mocked(handlers['profiles:list']).mockResolvedValueOnce(undefined as never);
    expect(await call('profiles:list', fakeInvokeEvent(own))).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('turns a handler crash into a generic internal error and logs the details', async () => {
    vi.mocked(handlers['profiles:list']).mockRejectedValueOnce(new Error('disk on fire at /secret/path'));
    const result = (await call('profiles:list', fakeInvokeEvent(own))) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(result.error.code).toBe('internal');
    expect(result.error.message).not.toContain('/secret/path');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('disk on fire'));
  });

  it('answers every payload with a result and never throws (fuzz)', async () => {
    const channels = Object.keys(requestSchemas) as InvokeChannel[];
    const wrapped = Object.fromEntries(
      channels.map((c) => [
        c,
        wrapHandler(c, handlers[c], { policy: { origin: ORIGIN, isOwnWebContents: () => true }, log }),
      ]),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...channels),
        fc.anything({ withObjectString: true, withNullPrototype: true }),
        async (channel, payload) => {
          const result = await wrapped[channel]!(fakeInvokeEvent(own), payload);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
