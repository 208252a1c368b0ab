import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-mock'));
const { safeStorage, resetElectronMock } = await import('./electron-mock');
const { createCredentialStore } = await import('../../../electron/main/credentials-store');

let dir: string;
const store = (platform = 'linux') => createCredentialStore({ dir, safeStorage, platform, now: () => new Date('2026-11-27T10:00:00Z') });

beforeEach(() => {
  resetElectronMock();
  dir = join(mkdtempSync(join(tmpdir(), 'pathcheck-creds-')), 'credentials');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

describe('credentials store (safeStorage)', () => {
  it('saves encrypted, never in plain text, and loads back', () => {
    const s = store();
    expect(s.save('lab', { type: 'static', username: 'labuser', credential: 'very-secret-pass' })).toEqual({ ok: true });
    const file = join(dir, 'lab.bin');
    const raw = readFileSync(file);
    expect(raw.toString('latin1')).not.toContain('very-secret-pass');
    expect(raw.toString('latin1')).not.toContain('labuser');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(s.load('lab')).toEqual({ type: 'static', username: 'labuser', credential: 'very-secret-pass' });
    expect(s.status('lab')).toEqual({ storage: { available: true }, saved: { type: 'static', label: 'labuser', savedAt: '2026-11-27T10:00:00.000Z' } });
    expect(readdirSync(dir)).toEqual(['lab.bin']);
  });

  it('describes a Twilio NTS credential by its Account SID only', () => {
    const s = store('darwin');
    const sid = `AC${'0'.repeat(32)}`;
    s.save('twilio-video', { type: 'twilio-nts', accountSid: sid, authToken: 'tok' });
    expect(s.status('twilio-video').saved).toEqual({ type: 'twilio-nts', label: sid, savedAt: expect.any(String) });
  });

  it('refuses to store (and says why) when safeStorage is unavailable', () => {
    safeStorage.available = false;
    const s = store('win32');
    const r = s.save('lab', { type: 'static', username: 'u', credential: 'p' });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/no encrypted storage/) });
    expect(s.status('lab')).toMatchObject({ storage: { available: false, reason: expect.any(String) }, saved: null });
    expect(() => readdirSync(dir)).toThrow();
  });

  it('refuses on Linux without a keyring (basic_text would be plain text in disguise)', () => {
    safeStorage.backend = 'basic_text';
    const r = store('linux').save('lab', { type: 'static', username: 'u', credential: 'p' });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/keyring/) });
  });

  it('treats an undecryptable or tampered file as absent, and forgets', () => {
    const s = store();
    s.save('lab', { type: 'static', username: 'u', credential: 'p' });
    writeFileSync(join(dir, 'lab.bin'), 'garbage');
    expect(s.load('lab')).toBeNull();
    expect(s.status('lab').saved).toBeNull();
    expect(s.forget('lab')).toBe(true);
    expect(s.forget('lab')).toBe(false);
  });

  it('rejects profile ids that could escape the directory', () => {
    expect(() => store().load('../etc/passwd')).toThrow(/invalid profile id/);
  });
});
