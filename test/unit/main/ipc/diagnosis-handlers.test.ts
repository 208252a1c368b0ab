import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { WebrtcSubmitRequestSchema } from '#common/ipc/diagnosis';
import type { DiagnosisEvent } from '#common/report/progress';
import type { CheckResult, Report } from '#common/report/schema';
import type { Credentials, Profile } from '#common/profile/schema';
import { createCredentialStore, type CredentialStore } from '#main/credentials-store';
import { createHandlers, type DiagnosisEngine } from '#main/ipc/handlers';
import { resolveIceHosts, webrtcServers } from '#main/ipc/diagnosis-webrtc';
import { PROFILES_DIR } from '#test/support/ipc-harness';

const LAB = {
  schemaVersion: 1 as const,
  id: 'lab',
  name: 'Lab',
  signaling: [],
  stun: [{ host: 'turn.lab.test', port: 3478 }],
  turn: [
    { host: 'turn.lab.test', port: 3478, transport: 'udp' as const },
    { host: 'turn.lab.test', port: 443, transport: 'tls' as const },
  ],
  credentials: { type: 'static' as const, username: 'labuser', credential: 'labpass' },
  group: { mediaServers: [], udpPorts: [[10000, 60000]] as [number, number][] },
  addresses: { ipv4: [], ipv6: [] },
};

/** An engine whose TURN-TLS allocation passes and TURN-UDP times out. */
function engineReport(): Report {
  const turn = (t: 'udp' | 'tls', port: number, status: 'pass' | 'fail'): CheckResult => ({
    id: `turn:${t}:turn.lab.test:${port}`,
    kind: 'turn',
    transport: t,
    host: 'turn.lab.test',
    port,
    status,
    reason: status === 'pass' ? 'ok' : 'timeout',
    detail: '',
    evidence: {},
  });
  return {
    schemaVersion: 1,
    tool: { name: 'pathcheck', version: '0' },
    profile: { id: 'lab', name: 'Lab' },
    rooms: ['group'],
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
    complete: true,
    host: { os: 'linux', interfaces: [], vpn: false, proxy: null },
    checks: [turn('udp', 3478, 'fail'), turn('tls', 443, 'pass')],
    ranges: [],
    nat: {
      mapping: 'unknown',
      filtering: 'unknown',
      behaveCompliant: null,
      publicAddress: null,
      method: 'none',
      notes: [],
    },
    verdicts: { group: { path: 'turn-tls', latency: 'high', confidence: 'measured', evidence: [], notes: [] } },
    firewall: { blocked: [], layer: 'unknown' },
    findings: [],
  };
}

function setup(
  opts: {
    waitMs?: number;
    store?: CredentialStore;
    now?: () => Date;
    prepareBrowser?: (p: Profile) => Promise<unknown>;
  } = {},
) {
  const events: DiagnosisEvent[] = [];
  const engine = { diagnose: vi.fn<DiagnosisEngine['diagnose']>(async () => engineReport()) };
  // Credentials are resolved without the network: a Twilio token is recorded, not sent anywhere.
  const resolved: Credentials[] = [];
  const resolveCredentials = async (c: Credentials) => {
    resolved.push(c);
    return c.type === 'static'
      ? { username: c.username, credential: c.credential }
      : c.type === 'twilio-nts'
        ? { username: 'issued', credential: 'issued' }
        : null;
  };
  const handlers = createHandlers({
    profilesDir: PROFILES_DIR,
    engine,
    emit: (_c, e) => events.push(e as DiagnosisEvent),
    resolveCredentials,
    webrtc: { waitMs: opts.waitMs ?? 5_000, graceMs: 10 },
    ...(opts.store ? { credentialStore: opts.store } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.prepareBrowser ? { prepareBrowser: opts.prepareBrowser } : {}),
  });
  return { handlers, events, engine, resolved };
}

const relay = (t: 'udp' | 'tls', port: number, status: 'pass' | 'fail') => ({
  id: `webrtc:relay:${t}:turn.lab.test:${port}`,
  kind: 'webrtc' as const,
  transport: t,
  host: 'turn.lab.test',
  port,
  status,
  reason: status === 'pass' ? 'ok' : 'timeout',
  detail: 'x',
  evidence: {},
});

async function until(events: DiagnosisEvent[], type: DiagnosisEvent['type']) {
  await vi.waitFor(() => expect(events.some((e) => e.type === type)).toBe(true), { timeout: 3000 });
  return events.find((e) => e.type === type)!;
}

describe('diagnosis with the WebRTC suite', () => {
  it('hands the page this run\u2019s ICE servers and credentials, one URL per server', async () => {
    const { handlers } = setup();
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r.ok) throw new Error(r.error.message);
    const plan = await handlers['diagnosis:webrtc-config']({ runId: r.value.runId });
    if (!plan.ok) throw new Error(plan.error.message);
    expect(plan.value.credentials).toEqual({ username: 'labuser', credential: 'labpass' });
    expect(plan.value.servers.map((s) => [s.checkId, s.url])).toEqual([
      ['webrtc:gather:stun:turn.lab.test:3478', 'stun:turn.lab.test:3478'],
      ['webrtc:relay:udp:turn.lab.test:3478', 'turn:turn.lab.test:3478?transport=udp'],
      ['webrtc:relay:tls:turn.lab.test:443', 'turns:turn.lab.test:443?transport=tcp'],
    ]);
    await handlers['diagnosis:cancel']({ runId: r.value.runId });
  });

  it('the page gets its plan only after main prepared the browser (proxy sign-in); a failing preparation does not stop it', async () => {
    let release!: () => void;
    const prepareBrowser = vi.fn((_p: Profile) => new Promise<void>((r) => (release = r)));
    const { handlers } = setup({ prepareBrowser });
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r.ok) throw new Error(r.error.message);
    let got = false;
    const plan = handlers['diagnosis:webrtc-config']({ runId: r.value.runId }).then((x) => {
      got = true;
      return x;
    });
    await new Promise((res) => setTimeout(res, 50));
    expect(prepareBrowser).toHaveBeenCalledWith(expect.objectContaining({ id: LAB.id }));
    expect(got).toBe(false);
    release();
    expect((await plan).ok).toBe(true);
    await handlers['diagnosis:cancel']({ runId: r.value.runId });
    const failing = setup({
      prepareBrowser: async () => {
        throw new Error('no network');
      },
    });
    const r2 = await failing.handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r2.ok) throw new Error(r2.error.message);
    expect((await failing.handlers['diagnosis:webrtc-config']({ runId: r2.value.runId })).ok).toBe(true);
    await failing.handlers['diagnosis:cancel']({ runId: r2.value.runId });
  });

  it('holds the engine\u2019s report until the page submits, then merges (a DPI box: allocation ok, no data)', async () => {
    const { handlers, events } = setup();
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r.ok) throw new Error(r.error.message);
    await new Promise((res) => setTimeout(res, 50));
    expect(events.some((e) => e.type === 'done')).toBe(false);
    const sub = await handlers['diagnosis:submit-webrtc'](
      WebrtcSubmitRequestSchema.parse({
        runId: r.value.runId,
        checks: [relay('udp', 3478, 'fail'), relay('tls', 443, 'fail'), { ...relay('tls', 5349, 'pass') }],
      }),
    );
    expect(sub).toEqual({ ok: true, value: { accepted: true, rejected: ['webrtc:relay:tls:turn.lab.test:5349'] } });
    const done = await until(events, 'done');
    if (done.type !== 'done') throw new Error();
    expect(done.report.checks.map((c) => c.id)).toContain('webrtc:relay:tls:turn.lab.test:443');
    expect(done.report.checks.map((c) => c.id)).not.toContain('webrtc:relay:tls:turn.lab.test:5349');
    expect(done.report.verdicts.group?.path).toBe('blocked');
    expect(done.report.findings).toContainEqual(
      expect.objectContaining({ code: 'engine-webrtc-disagree', severity: 'warn' }),
    );
    expect(done.report.durationMs).toBeGreaterThanOrEqual(50);
  });

  it('sends the engine\u2019s report with a note when the page never reports back', async () => {
    const { handlers, events } = setup({ waitMs: 100 });
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r.ok) throw new Error(r.error.message);
    const done = await until(events, 'done');
    if (done.type !== 'done') throw new Error();
    expect(done.report.verdicts.group?.path).toBe('turn-tls');
    expect(done.report.findings).toContainEqual(expect.objectContaining({ code: 'webrtc-missing' }));
    expect(await handlers['diagnosis:submit-webrtc']({ runId: r.value.runId, checks: [] })).toEqual({
      ok: true,
      value: { accepted: false, rejected: [] },
    });
    expect(await handlers['diagnosis:webrtc-config']({ runId: r.value.runId })).toMatchObject({
      ok: false,
      error: { code: 'run-not-found' },
    });
  });

  it('records a suite that could not run as a finding', async () => {
    const { handlers, events } = setup();
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r.ok) throw new Error(r.error.message);
    await handlers['diagnosis:submit-webrtc']({
      runId: r.value.runId,
      checks: [],
      error: 'RTCPeerConnection is not available.',
    });
    const done = await until(events, 'done');
    if (done.type !== 'done') throw new Error();
    expect(done.report.findings).toContainEqual(
      expect.objectContaining({ code: 'webrtc-error', message: expect.stringContaining('RTCPeerConnection') }),
    );
  });

  it('cancel ends the run with `cancelled`, also while waiting for the page', async () => {
    const { handlers, events } = setup();
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r.ok) throw new Error(r.error.message);
    await new Promise((res) => setTimeout(res, 20));
    await handlers['diagnosis:cancel']({ runId: r.value.runId });
    const err = await until(events, 'error');
    expect(err).toMatchObject({ error: { code: 'cancelled' } });
    expect(events.some((e) => e.type === 'done')).toBe(false);
  });

  it('uses typed credentials, remembers them only when asked, and reports a refusal', async () => {
    const saved: Array<[unknown, unknown, string]> = [];
    const store: CredentialStore = {
      status: () => ({ storage: { available: true }, saved: null }),
      save: (scope, c, origin) => (saved.push([scope, c, origin]), { ok: false, reason: 'No desktop keyring.' }),
      load: () => ({ type: 'static', username: 'remembered', credential: 'r' }),
      forget: () => true,
    };
    const { handlers, engine } = setup({ store });
    const typed = { type: 'static' as const, username: 'typed', credential: 't' };
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], credentials: typed, remember: true });
    expect(r).toMatchObject({ ok: true, value: { rememberError: 'No desktop keyring.' } });
    expect(saved).toEqual([
      [{ kind: 'static', turn: ['tls:turn.lab.test:443', 'udp:turn.lab.test:3478'] }, typed, 'imported'],
    ]);
    expect(engine.diagnose.mock.calls[0]![0].credentials).toEqual(typed);
    await vi.waitFor(async () =>
      expect(
        (await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], useSavedCredentials: true })).ok,
      ).toBe(true),
    );
    expect(engine.diagnose.mock.calls[1]![0].credentials).toEqual({
      type: 'static',
      username: 'remembered',
      credential: 'r',
    });
  });

  it('credentials:status says when nothing can be remembered', async () => {
    const { handlers } = setup();
    expect(await handlers['credentials:status']({ profileId: 'twilio-video' })).toMatchObject({
      ok: true,
      value: { storage: { available: false }, saved: null },
    });
  });

  it('pins STUN and TURN over UDP/TCP to the address main resolved; TURN over TLS keeps the name for its certificate', async () => {
    const addresses = await resolveIceHosts(
      { ...LAB, turn: [...LAB.turn, { host: 'turn.lab.test', port: 3478, transport: 'tcp' as const }] } as never,
      async (h) => (h === 'turn.lab.test' ? '10.77.2.10' : Promise.reject(new Error('nxdomain'))),
    );
    const urls = webrtcServers(
      { ...LAB, turn: [...LAB.turn, { host: 'turn.lab.test', port: 3478, transport: 'tcp' as const }] } as never,
      addresses,
    ).map((s) => s.url);
    expect(urls).toEqual([
      'stun:10.77.2.10:3478',
      'turn:10.77.2.10:3478?transport=udp',
      'turns:turn.lab.test:443?transport=tcp',
      'turn:10.77.2.10:3478?transport=tcp',
    ]);
    const slow = await resolveIceHosts(LAB as never, () => new Promise(() => {}), 20);
    expect(slow.size).toBe(0);
  });

  it('brackets IPv6 literals in ICE URLs', () => {
    expect(
      webrtcServers({ ...LAB, stun: [], turn: [{ host: 'fd77:2::10', port: 443, transport: 'tls' }] } as never)[0]!.url,
    ).toBe('turns:[fd77:2::10]:443?transport=tcp');
  });
});

describe('a page-supplied tls.ca path', () => {
  it('is read bounded and off the event loop, and every failure is the same sentence (no path oracle)', async () => {
    const { handlers, engine } = setup();
    const dir = mkdtempSync(join(tmpdir(), 'pc-ca-main-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'secret.txt'), 'root:x:0:0');
    const answers = [];
    for (const ca of [
      '/proc/self/pagemap',
      fifo,
      '/dev/zero',
      join(dir, 'secret.txt'),
      join(dir, 'missing'),
      dir,
      'relative.pem',
    ]) {
      const r = await handlers['diagnosis:start']({ profile: { ...LAB, tls: { ca } }, rooms: ['group'] });
      expect(r.ok).toBe(false);
      if (!r.ok) answers.push(r.error);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      code: 'invalid-profile',
      message: expect.stringContaining('tls.ca must be PEM text'),
    });
    expect(JSON.stringify(answers)).not.toMatch(/secret|fifo|pagemap|root:x/);
    expect(engine.diagnose).not.toHaveBeenCalled();
  });

  it('a readable PEM file reaches the engine as its text', async () => {
    const { handlers, engine } = setup({ waitMs: 50 });
    const dir = mkdtempSync(join(tmpdir(), 'pc-ca-main-'));
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(join(dir, 'ca.pem'), pem);
    const r = await handlers['diagnosis:start']({
      profile: { ...LAB, tls: { ca: join(dir, 'ca.pem') } },
      rooms: ['group'],
    });
    expect(r.ok).toBe(true);
    await vi.waitFor(() => expect(engine.diagnose).toHaveBeenCalled());
    expect(engine.diagnose.mock.calls[0]![0].tls?.ca).toBe(pem);
  });
});

describe('remembered credentials are keyed by what they unlock (real store, real handlers)', () => {
  const sid = `AC${'0'.repeat(32)}`;
  const token = { type: 'twilio-nts' as const, accountSid: sid, authToken: 'the-real-token' };
  async function withStore() {
    const { safeStorage } = await import('../electron-mock');
    const store = createCredentialStore({
      dir: join(mkdtempSync(join(tmpdir(), 'pc-creds-')), 'c'),
      safeStorage,
      platform: 'darwin',
    });
    return { store, ...setup({ store, waitMs: 30 }) };
  }
  const started = async (
    handlers: ReturnType<typeof setup>['handlers'],
    request: Parameters<ReturnType<typeof setup>['handlers']['diagnosis:start']>[0],
  ) => {
    let r!: Awaited<ReturnType<(typeof handlers)['diagnosis:start']>>;
    await vi.waitFor(async () => {
      r = await handlers['diagnosis:start'](request);
      expect(r).not.toMatchObject({ ok: false, error: { code: 'run-in-progress' } });
    });
    return r;
  };

  it('an imported profile reusing a built-in id, pointing turn elsewhere, is not offered, sent or allowed to replace the secret', async () => {
    const { handlers, resolved } = await withStore();
    const builtin = await handlers['profiles:list'](undefined);
    if (!builtin.ok) throw new Error(builtin.error.message);
    const twilio = builtin.value.find((e) => e.id === 'twilio-video')!.profile;
    expect(
      await started(handlers, { profileId: 'twilio-video', rooms: ['group'], credentials: token, remember: true }),
    ).toMatchObject({ ok: true });
    expect(await handlers['credentials:status']({ profileId: 'twilio-video' })).toMatchObject({
      ok: true,
      value: { saved: { type: 'twilio-nts', label: sid } },
    });

    const hostile = { ...twilio, turn: [{ host: 'turn.attacker.example', port: 443, transport: 'tls' as const }] };
    expect(await handlers['credentials:status']({ profile: hostile })).toMatchObject({
      ok: true,
      value: { saved: null },
    });
    expect(await started(handlers, { profile: hostile, rooms: ['group'], useSavedCredentials: true })).toMatchObject({
      ok: true,
    });
    await vi.waitFor(() => expect(resolved).toHaveLength(2));
    expect(resolved[1]).toEqual({ type: 'none' });

    // Same servers, but the token would go to another API.
    const tokenThief = {
      ...twilio,
      credentials: { ...token, authToken: 'placeholder', apiBase: 'https://tokens.attacker.example' },
    };
    expect(await handlers['credentials:status']({ profile: tokenThief })).toMatchObject({
      ok: true,
      value: { saved: null },
    });
    await started(handlers, { profile: tokenThief, rooms: ['group'], useSavedCredentials: true });
    await vi.waitFor(() => expect(resolved).toHaveLength(3));
    expect(resolved[2]).toMatchObject({ authToken: 'placeholder' });

    // An imported copy with the very same servers cannot overwrite what the built-in profile saved.
    const copy = await started(handlers, {
      profile: twilio,
      rooms: ['group'],
      credentials: { ...token, authToken: 'attacker' },
      remember: true,
    });
    expect(copy).toMatchObject({ ok: true, value: { rememberError: expect.stringMatching(/built-in profile/) } });
    await started(handlers, { profileId: 'twilio-video', rooms: ['group'], useSavedCredentials: true });
    await vi.waitFor(() => expect(resolved).toHaveLength(5));
    expect(resolved[4]).toEqual(token);
    expect(resolved.filter((c) => JSON.stringify(c).includes('the-real-token'))).toHaveLength(2);
  });

  it('credentials:status for an unknown built-in id is an error, not someone else\u2019s secret', async () => {
    const { handlers } = await withStore();
    expect(await handlers['credentials:status']({ profileId: 'no-such-profile' })).toMatchObject({
      ok: false,
      error: { code: 'profile-not-found' },
    });
  });
});

describe('profile parameters and end of service in main', () => {
  it('a profile with an unfilled or invalid parameter does not start, and the answer names it', async () => {
    const { handlers, engine } = setup();
    expect(await handlers['diagnosis:start']({ profileId: 'livekit-cloud', rooms: ['group'] })).toEqual({
      ok: false,
      error: { code: 'invalid-parameters', message: 'LiveKit Cloud project subdomain is required (for example acme).' },
    });
    const bad = await handlers['diagnosis:start']({
      profileId: 'livekit-cloud',
      rooms: ['group'],
      parameters: { project: 'a.b' },
    });
    expect(bad).toMatchObject({
      ok: false,
      error: {
        code: 'invalid-parameters',
        message: expect.stringContaining('LiveKit Cloud project subdomain does not have the expected form'),
      },
    });
    expect(engine.diagnose).not.toHaveBeenCalled();
  });

  it('filled in, the engine gets real hosts and the report records the values', async () => {
    const { handlers, engine, events } = setup({ waitMs: 30 });
    const r = await handlers['diagnosis:start']({
      profileId: 'livekit-cloud',
      rooms: ['group'],
      parameters: { project: 'acme' },
    });
    expect(r.ok).toBe(true);
    await vi.waitFor(() => expect(engine.diagnose).toHaveBeenCalled());
    const profile = engine.diagnose.mock.calls[0]![0];
    expect(profile.signaling[0]!.host).toBe('acme.livekit.cloud');
    expect(profile.turn.map((t) => t.host)).toEqual(['acme.turn.livekit.cloud', 'acme.host.livekit.cloud']);
    const done = await until(events, 'done');
    if (done.type !== 'done') throw new Error();
    expect(done.report.profile.parameters).toEqual({ project: 'acme' });
  });

  it.each([
    [new Date(2026, 11, 1), 'Twilio Programmable Video ends on 2026-12-05.', false, 'twilio-video'],
    [
      new Date(2026, 11, 5),
      'Twilio Programmable Video ended on 2026-12-05: this profile is for diagnosing existing deployments.',
      true,
      'microsoft-teams',
    ],
  ])('profiles:list on %s: Twilio says %j (ended %s); first listed is %s', async (now, notice, ended, first) => {
    const { handlers } = setup({ now: () => now });
    const list = await handlers['profiles:list'](undefined);
    if (!list.ok) throw new Error(list.error.message);
    const twilio = list.value.find((e) => e.id === 'twilio-video')!;
    expect(twilio.notice).toContain(notice);
    expect(Boolean(twilio.ended)).toBe(ended);
    expect(list.value[0]!.id).toBe(first);
    expect(list.value[0]!.ended).toBeUndefined();
  });
});
