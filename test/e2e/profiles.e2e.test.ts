import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, InvokeChannel } from '#common/ipc/contract';
import type { Credentials, Profile } from '#common/profile/schema';
import { createCredentialStore, type SafeStorageLike } from '#main/credentials-store';
import type { DiagnosisEngine } from '#main/ipc/handlers';
import { createIpcHarness, type IpcHarness } from '../support/ipc-harness';
import { missingPrereqs, prereqs } from '../support/prereq';
import { bindingBridgeScript, CHROMIUM_ARGS, serveRenderer } from './bridge-page';
import { ensureAppBuilt } from './built-app';

/**
 * Profiles and remembered secrets in the built renderer (Chromium), over the real bridge and main's
 * real handlers and credential store: an imported profile that reuses a built-in id but points TURN
 * at another host is offered and sent nothing remembered; profile parameters are asked for in the
 * form and reach the engine filled in.
 */
const skip = missingPrereqs('chromium e2e', [prereqs.chromium]);

/** The OS keychain stand-in: "encrypts" so the file is not plain text (Electron's safeStorage in the app). */
const keychain: SafeStorageLike = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (t) => Buffer.concat([Buffer.from('v10'), Buffer.from(t, 'utf8').map((b) => b ^ 0x5a)]),
  decryptString: (b) => Buffer.from(b.subarray(3).map((x) => x ^ 0x5a)).toString('utf8'),
};

describe.skipIf(skip)('profiles and remembered credentials in Chromium (e2e)', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let harness: IpcHarness;
  const resolved: Credentials[] = [];
  const ran: Profile[] = [];
  const problems: string[] = [];
  // Records the profile and fails at once: these tests are about what a run is given, not its result.
  const engine: DiagnosisEngine = {
    diagnose: async (profile) => (ran.push(profile), Promise.reject(new Error('test engine'))),
  };

  beforeAll(async () => {
    ensureAppBuilt();
    ({ server, origin } = await serveRenderer());
    harness = createIpcHarness({
      origin,
      engine,
      credentialStore: createCredentialStore({
        dir: join(mkdtempSync(join(tmpdir(), 'pc-e2e-creds-')), 'c'),
        safeStorage: keychain,
        platform: 'linux',
      }),
      resolveCredentials: async (c) => (
        resolved.push(c),
        c.type === 'static' ? { username: c.username, credential: c.credential } : null
      ),
    });
    harness.onEmit = (channel: EventChannel, payload) => {
      // The seeding run below emits before the page exists; later events go to the page.
      void page
        ?.evaluate(
          ([c, p]) => (window as unknown as { __pathcheckEmit(c: string, p: unknown): void }).__pathcheckEmit(c, p),
          [channel, payload] as const,
        )
        .catch(() => undefined);
    };
    // The user saved TURN credentials for the built-in Twilio profile earlier.
    const saved = await harness.invoke('diagnosis:start', {
      profileId: 'twilio-video',
      rooms: ['group'],
      credentials: { type: 'static', username: 'helpdesk', credential: 'the-real-secret' },
      remember: true,
    });
    if (!saved.ok || saved.value.rememberError)
      throw new Error(`could not seed the saved credentials: ${JSON.stringify(saved)}`);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 }, reducedMotion: 'reduce' });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.exposeBinding('__pathcheckInvoke', (source, channel: InvokeChannel, payload: unknown) =>
      harness.invoke(channel, payload as never, {
        url: source.frame.url(),
        mainFrame: source.frame === source.page.mainFrame(),
      }),
    );
    await page.addInitScript({ content: bindingBridgeScript() });
    await page.goto(`${origin}/index.html`);
    await page.getByRole('radio', { name: /Twilio Programmable Video/ }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  const source = () => page.locator('.creds select');

  it('the built-in profile is offered its remembered credentials', async () => {
    await expect.poll(() => source().inputValue()).toBe('saved');
    expect(await page.locator('.creds').textContent()).toContain('helpdesk');
  });

  it('an imported profile reusing the built-in id but pointing TURN elsewhere is offered and sent nothing remembered', async () => {
    const builtin = await harness.invoke('profiles:list');
    if (!builtin.ok) throw new Error(builtin.error.message);
    const twilio = builtin.value.find((e) => e.id === 'twilio-video')!.profile;
    const hostile = {
      ...twilio,
      name: 'Twilio (imported)',
      turn: [{ host: 'turn.attacker.example', port: 443, transport: 'tls' }],
    };
    await page.getByRole('button', { name: 'or paste JSON' }).click();
    await page.locator('#import-text').fill(JSON.stringify(hostile));
    await page.getByRole('button', { name: 'Check and import' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Twilio (imported)');
    await expect.poll(() => source().inputValue()).toBe('none');
    expect(await source().locator('option').allTextContents()).not.toContain('Remembered credentials');
    // Even a page that asks for the remembered secret outright gets none for these servers.
    const before = resolved.length;
    const r = await page.evaluate(
      (profile) => window.pathcheck!.diagnosis.start({ profile, rooms: ['group'], useSavedCredentials: true }),
      hostile as never,
    );
    expect(r.ok).toBe(true);
    await expect.poll(() => resolved.length).toBe(before + 1);
    expect(JSON.stringify(resolved.slice(before))).not.toContain('the-real-secret');
    expect(ran.at(-1)!.turn.map((t) => t.host)).toEqual(['turn.attacker.example']);
  });

  it('asks for LiveKit Cloud\u2019s project, checks it as it is typed, and runs with the filled-in hosts', async () => {
    await page.getByRole('radio', { name: /LiveKit Cloud/ }).check();
    const field = page.getByLabel('LiveKit Cloud project subdomain');
    await field.fill('acme corp');
    await expect
      .poll(() => page.locator('.params .field__error').textContent())
      .toContain('letters, digits, hyphens and dots');
    await page.getByRole('button', { name: /Run diagnosis|Run again/ }).click();
    await expect
      .poll(() => page.locator('.run__actions [role="alert"]').textContent())
      .toContain('Fill in LiveKit Cloud project subdomain');
    const before = ran.length;
    await field.fill('acme');
    expect(await page.locator('.params .field__error').count()).toBe(0);
    await page.getByRole('button', { name: /Run diagnosis|Run again/ }).click();
    await expect.poll(() => ran.length).toBe(before + 1);
    expect(ran.at(-1)!.signaling[0]!.host).toBe('acme.livekit.cloud');
    expect(ran.at(-1)!.turn.map((t) => t.host)).toEqual(['acme.turn.livekit.cloud', 'acme.host.livekit.cloud']);
    // Remembered for next time.
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('LiveKit Cloud');
    expect(await page.getByLabel('LiveKit Cloud project subdomain').inputValue()).toBe('acme');
    expect(problems).toEqual([]);
  });
});
