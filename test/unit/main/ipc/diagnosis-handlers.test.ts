import { describe, expect, it, vi } from 'vitest';
import { WebrtcSubmitRequestSchema } from '../../../../electron/common/ipc/diagnosis';
import type { DiagnosisEvent } from '../../../../electron/common/report/progress';
import type { CheckResult, Report } from '../../../../electron/common/report/schema';
import type { Profile } from '../../../../electron/common/profile/schema';
import type { CredentialStore } from '../../../../electron/main/credentials-store';
import { createHandlers, type DiagnosisEngine } from '../../../../electron/main/ipc/handlers';
import { resolveIceHosts, webrtcServers } from '../../../../electron/main/ipc/diagnosis-webrtc';
import { PROFILES_DIR } from '../../../support/ipc-harness';

const LAB = {
  schemaVersion: 1 as const, id: 'lab', name: 'Lab',
  signaling: [], stun: [{ host: 'turn.lab.test', port: 3478 }],
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
    id: `turn:${t}:turn.lab.test:${port}`, kind: 'turn', transport: t, host: 'turn.lab.test', port, status,
    reason: status === 'pass' ? 'ok' : 'timeout', detail: '', evidence: {},
  });
  return {
    schemaVersion: 1, tool: { name: 'pathcheck', version: '0' }, profile: { id: 'lab', name: 'Lab' }, rooms: ['group'],
    startedAt: new Date(0).toISOString(), durationMs: 1, complete: true,
    host: { os: 'linux', interfaces: [], vpn: false, proxy: null },
    checks: [turn('udp', 3478, 'fail'), turn('tls', 443, 'pass')], ranges: [],
    nat: { mapping: 'unknown', filtering: 'unknown', behaveCompliant: null, publicAddress: null, method: 'none', notes: [] },
    verdicts: { group: { path: 'turn-tls', latency: 'high', confidence: 'measured', evidence: [], notes: [] } },
    firewall: { blocked: [], layer: 'unknown' }, findings: [],
  };
}

function setup(opts: { waitMs?: number; store?: CredentialStore; prepareBrowser?: (p: Profile) => Promise<unknown> } = {}) {
  const events: DiagnosisEvent[] = [];
  const engine = { diagnose: vi.fn<DiagnosisEngine['diagnose']>(async () => engineReport()) };
  const handlers = createHandlers({
    profilesDir: PROFILES_DIR, engine, emit: (_c, e) => events.push(e as DiagnosisEvent),
    webrtc: { waitMs: opts.waitMs ?? 5_000, graceMs: 10 },
    ...(opts.store ? { credentialStore: opts.store } : {}),
    ...(opts.prepareBrowser ? { prepareBrowser: opts.prepareBrowser } : {}),
  });
  return { handlers, events, engine };
}

const relay = (t: 'udp' | 'tls', port: number, status: 'pass' | 'fail') => ({
  id: `webrtc:relay:${t}:turn.lab.test:${port}`, kind: 'webrtc' as const, transport: t, host: 'turn.lab.test', port, status,
  reason: status === 'pass' ? 'ok' : 'timeout', detail: 'x', evidence: {},
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
    const plan = handlers['diagnosis:webrtc-config']({ runId: r.value.runId }).then((x) => { got = true; return x; });
    await new Promise((res) => setTimeout(res, 50));
    expect(prepareBrowser).toHaveBeenCalledWith(expect.objectContaining({ id: LAB.id }));
    expect(got).toBe(false);
    release();
    expect((await plan).ok).toBe(true);
    await handlers['diagnosis:cancel']({ runId: r.value.runId });
    const failing = setup({ prepareBrowser: async () => { throw new Error('no network'); } });
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
    const sub = await handlers['diagnosis:submit-webrtc'](WebrtcSubmitRequestSchema.parse({
      runId: r.value.runId,
      checks: [relay('udp', 3478, 'fail'), relay('tls', 443, 'fail'), { ...relay('tls', 5349, 'pass') }],
    }));
    expect(sub).toEqual({ ok: true, value: { accepted: true, rejected: ['webrtc:relay:tls:turn.lab.test:5349'] } });
    const done = await until(events, 'done');
    if (done.type !== 'done') throw new Error();
    expect(done.report.checks.map((c) => c.id)).toContain('webrtc:relay:tls:turn.lab.test:443');
    expect(done.report.checks.map((c) => c.id)).not.toContain('webrtc:relay:tls:turn.lab.test:5349');
    expect(done.report.verdicts.group?.path).toBe('blocked');
    expect(done.report.findings).toContainEqual(expect.objectContaining({ code: 'engine-webrtc-disagree', severity: 'warn' }));
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
    expect(await handlers['diagnosis:submit-webrtc']({ runId: r.value.runId, checks: [] })).toEqual({ ok: true, value: { accepted: false, rejected: [] } });
    expect(await handlers['diagnosis:webrtc-config']({ runId: r.value.runId })).toMatchObject({ ok: false, error: { code: 'run-not-found' } });
  });

  it('records a suite that could not run as a finding', async () => {
    const { handlers, events } = setup();
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], webrtc: true });
    if (!r.ok) throw new Error(r.error.message);
    await handlers['diagnosis:submit-webrtc']({ runId: r.value.runId, checks: [], error: 'RTCPeerConnection is not available.' });
    const done = await until(events, 'done');
    if (done.type !== 'done') throw new Error();
    expect(done.report.findings).toContainEqual(expect.objectContaining({ code: 'webrtc-error', message: expect.stringContaining('RTCPeerConnection') }));
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
    const saved: Array<[string, unknown]> = [];
    const store: CredentialStore = {
      status: () => ({ storage: { available: true }, saved: null }),
      save: (id, c) => (saved.push([id, c]), { ok: false, reason: 'No desktop keyring.' }),
      load: () => ({ type: 'static', username: 'remembered', credential: 'r' }),
      forget: () => true,
    };
    const { handlers, engine } = setup({ store });
    const typed = { type: 'static' as const, username: 'typed', credential: 't' };
    const r = await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], credentials: typed, remember: true });
    expect(r).toMatchObject({ ok: true, value: { rememberError: 'No desktop keyring.' } });
    expect(saved).toEqual([['lab', typed]]);
    expect(engine.diagnose.mock.calls[0]![0].credentials).toEqual(typed);
    await vi.waitFor(async () => expect((await handlers['diagnosis:start']({ profile: LAB, rooms: ['group'], useSavedCredentials: true })).ok).toBe(true));
    expect(engine.diagnose.mock.calls[1]![0].credentials).toEqual({ type: 'static', username: 'remembered', credential: 'r' });
  });

  it('credentials:status says when nothing can be remembered', async () => {
    const { handlers } = setup();
    expect(await handlers['credentials:status']({ profileId: 'lab' })).toMatchObject({ ok: true, value: { storage: { available: false }, saved: null } });
  });

  it('pins STUN and TURN over UDP/TCP to the address main resolved; TURN over TLS keeps the name for its certificate', async () => {
    const addresses = await resolveIceHosts({ ...LAB, turn: [...LAB.turn, { host: 'turn.lab.test', port: 3478, transport: 'tcp' as const }] } as never, async (h) => (h === 'turn.lab.test' ? '10.77.2.10' : Promise.reject(new Error('nxdomain'))));
    const urls = webrtcServers({ ...LAB, turn: [...LAB.turn, { host: 'turn.lab.test', port: 3478, transport: 'tcp' as const }] } as never, addresses).map((s) => s.url);
    expect(urls).toEqual(['stun:10.77.2.10:3478', 'turn:10.77.2.10:3478?transport=udp', 'turns:turn.lab.test:443?transport=tcp', 'turn:10.77.2.10:3478?transport=tcp']);
    const slow = await resolveIceHosts(LAB as never, () => new Promise(() => {}), 20);
    expect(slow.size).toBe(0);
  });

  it('brackets IPv6 literals in ICE URLs', () => {
    expect(webrtcServers({ ...LAB, stun: [], turn: [{ host: 'fd77:2::10', port: 443, transport: 'tls' }] } as never)[0]!.url).toBe('turns:[fd77:2::10]:443?transport=tcp');
  });
});
