import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-mock'));
const { safeStorage, resetElectronMock } = await import('./electron-mock');
const { createCredentialStore, scopeOf, scopesFor } = await import('#main/credentials-store');

let dir: string;
const store = (platform = 'linux') =>
  createCredentialStore({ dir, safeStorage, platform, now: () => new Date('2026-11-27T10:00:00Z') });

beforeEach(() => {
  resetElectronMock();
  dir = join(mkdtempSync(join(tmpdir(), 'pathcheck-creds-')), 'credentials');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const turn = (host: string) => [
  { host, port: 3478, transport: 'udp' as const },
  { host, port: 443, transport: 'tls' as const },
];
const LAB = { turn: turn('turn.lab.test'), credentials: { type: 'none' as const } };
const STATIC = { type: 'static' as const, username: 'labuser', credential: 'very-secret-pass' };
const only = (dirPath: string) => readdirSync(dirPath).filter((f) => f.endsWith('.bin'));

describe('credentials store (safeStorage)', () => {
  it('saves encrypted, never in plain text, under a digest of what the secret unlocks, and loads back', () => {
    const s = store();
    expect(s.save(scopeOf(LAB, STATIC), STATIC, 'builtin')).toEqual({ ok: true });
    const [name] = only(dir);
    expect(name).toMatch(/^[0-9a-f]{40}\.bin$/);
    const raw = readFileSync(join(dir, name!));
    expect(raw.toString('latin1')).not.toContain('very-secret-pass');
    expect(raw.toString('latin1')).not.toContain('labuser');
    expect(statSync(join(dir, name!)).mode & 0o777).toBe(0o600);
    expect(s.load(scopesFor(LAB))).toEqual(STATIC);
    expect(s.status(scopesFor(LAB))).toEqual({
      storage: { available: true },
      saved: { type: 'static', label: 'labuser', savedAt: '2026-11-27T10:00:00.000Z' },
    });
  });

  it('a profile whose TURN servers differ in any host, port or transport is offered nothing', () => {
    const s = store();
    s.save(scopeOf(LAB, STATIC), STATIC, 'builtin');
    expect(s.load(scopesFor({ ...LAB, turn: turn('attacker.example') }))).toBeNull();
    expect(s.load(scopesFor({ ...LAB, turn: [LAB.turn[0]!] }))).toBeNull();
    expect(
      s.load(
        scopesFor({ ...LAB, turn: [...LAB.turn, { host: 'turn.lab.test', port: 3479, transport: 'udp' as const }] }),
      ),
    ).toBeNull();
    expect(s.status(scopesFor({ ...LAB, turn: turn('attacker.example') })).saved).toBeNull();
    // Same servers in another order and case: the same secret.
    expect(s.load(scopesFor({ ...LAB, turn: [...turn('TURN.lab.test')].reverse() }))).toEqual(STATIC);
    expect(s.load(scopesFor({ ...LAB, turn: [] }))).toBeNull();
  });

  it('a Twilio token is kept for the API it is sent to: another apiBase sees nothing', () => {
    const s = store('darwin');
    const sid = `AC${'0'.repeat(32)}`;
    const nts = { type: 'twilio-nts' as const, accountSid: sid, authToken: 'tok' };
    s.save(scopeOf(LAB, nts), nts, 'builtin');
    expect(s.status(scopesFor(LAB)).saved).toEqual({ type: 'twilio-nts', label: sid, savedAt: expect.any(String) });
    const elsewhere = { ...LAB, credentials: { ...nts, authToken: 'x', apiBase: 'https://tokens.attacker.example' } };
    expect(s.load(scopesFor(elsewhere))).toBeNull();
    expect(s.load(scopesFor({ ...LAB, credentials: { ...nts, apiBase: 'https://api.twilio.com/' } }))).toEqual(nts);
  });

  it('an imported profile cannot replace a secret saved from a built-in profile, but may replace its own', () => {
    const s = store();
    expect(s.save(scopeOf(LAB, STATIC), STATIC, 'builtin')).toEqual({ ok: true });
    const other = { ...STATIC, username: 'attacker', credential: 'x' };
    expect(s.save(scopeOf(LAB, other), other, 'imported')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/built-in profile/),
    });
    expect(s.load(scopesFor(LAB))).toEqual(STATIC);
    const mine = { ...LAB, turn: turn('turn.mine.example') };
    expect(s.save(scopeOf(mine, STATIC), STATIC, 'imported')).toEqual({ ok: true });
    expect(s.save(scopeOf(mine, other), other, 'imported')).toEqual({ ok: true });
    expect(s.load(scopesFor(mine))).toEqual(other);
  });

  it('refuses to store (and says why) when safeStorage is unavailable', () => {
    safeStorage.available = false;
    const s = store('win32');
    const r = s.save(scopeOf(LAB, STATIC), STATIC, 'builtin');
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/no encrypted storage/) });
    expect(s.status(scopesFor(LAB))).toMatchObject({
      storage: { available: false, reason: expect.any(String) },
      saved: null,
    });
    expect(() => readdirSync(dir)).toThrow();
  });

  it('refuses on Linux without a keyring (basic_text would be plain text in disguise)', () => {
    safeStorage.backend = 'basic_text';
    const r = store('linux').save(scopeOf(LAB, STATIC), STATIC, 'builtin');
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/keyring/) });
  });

  it('treats an undecryptable, tampered or moved file as absent, and forgets', () => {
    const s = store();
    s.save(scopeOf(LAB, STATIC), STATIC, 'builtin');
    const [name] = only(dir);
    // A valid entry copied into another scope's slot is not used there.
    const mine = { ...LAB, turn: turn('turn.mine.example') };
    s.save(scopeOf(mine, STATIC), STATIC, 'builtin');
    const mineName = only(dir).find((f) => f !== name)!;
    writeFileSync(join(dir, mineName), readFileSync(join(dir, name!)));
    expect(s.load(scopesFor(mine))).toBeNull();
    writeFileSync(join(dir, name!), 'garbage');
    expect(s.load(scopesFor(LAB))).toBeNull();
    expect(s.status(scopesFor(LAB)).saved).toBeNull();
    expect(s.forget(scopesFor(LAB))).toBe(true);
    expect(s.forget(scopesFor(LAB))).toBe(false);
  });
});
