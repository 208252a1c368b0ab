// The app in the lab behind an authenticating proxy (scenario `proxy-auth-only`: the only way out is
// squid on lab.proxyAuthUrl, which answers 407 asking for Basic). The app's page here is Debian's
// Chromium driven by Playwright (no Electron, so no `login` event and nobody signs in): the engine
// gets 407s and reports `proxy-auth-required`, Chromium's in-app relays cannot get through either,
// and the verdict must say the proxy needs credentials — never "blocked at the proxy".
// Then signed in: Playwright answers Chromium's proxy challenge for a page load (what the app's
// `login` prompt does in Electron); WebRTC's own CONNECTs never prompt, but reuse the credentials
// Chromium now holds for that proxy, so TURN over TLS relays through it and decides the verdict.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { missingPrereqs, prereqs } from '../support/prereq';
import * as lab from './lab.mjs';
import {
  certutil,
  PORT,
  readEvidence,
  runAndWait,
  shownChecks,
  shownVerdicts,
  startAppInLab,
  type AppInLab,
} from './webrtc-harness';

const skip = missingPrereqs('lab WebRTC app e2e behind an authenticating proxy', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  prereqs.squid,
  prereqs.chromium,
  certutil,
]);
const SQUID_LOG = join(lab.paths.dir, 'squid-auth', 'access.log');
const squidLines = () => (existsSync(SQUID_LOG) ? readFileSync(SQUID_LOG, 'utf8').split('\n').filter(Boolean) : []);

describe.skipIf(skip)('the app in the lab behind an authenticating proxy (proxy-auth-only), nobody signed in', () => {
  let app: AppInLab | null = null;

  beforeAll(async () => {
    await lab.up();
    await lab.scenario('proxy-auth-only');
    app = await startAppInLab({ proxy: lab.proxyAuthUrl });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await lab.down();
  });

  it('the verdicts say the proxy needs your credentials; the engine names the proxy and Basic; nothing reads "blocked at the proxy" for 443', async () => {
    const page = app!.page;
    const logBefore = squidLines().length;
    await runAndWait(page);
    const shown = await shownVerdicts(page);
    const checks = await shownChecks(page);
    const cards = await page
      .locator('.verdict')
      .evaluateAll((els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim() ?? ''));
    const findings = await page
      .locator('.finding')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')}: ${e.textContent?.trim()}`));
    const squid = squidLines().slice(logBefore);
    const digest = `proxy-auth-only: shown ${JSON.stringify(shown)}; checks ${JSON.stringify(checks)}; cards ${JSON.stringify(cards)}; findings ${JSON.stringify(findings)}\nsquid: ${squid.join('\n  ')}`;
    console.log(digest);

    expect.soft(shown, digest).toEqual({ group: 'blocked', p2p: 'blocked' });
    for (const c of cards) expect.soft(c, digest).toMatch(/the proxy needs your credentials/);
    expect.soft(cards.join(' '), digest).not.toMatch(/will not work from this network/);
    expect.soft(checks[`turn:tls:turn.lab.test:${PORT.tls}`], digest).toBe('fail');
    expect
      .soft(checks[`webrtc:relay:tls:turn.lab.test:${PORT.tls}`], `Chromium was not signed in\n${digest}`)
      .toBe('fail');
    const engineTls = await readEvidence<{
      proxyAuth?: { proxy: string; schemes: string[]; credentialsSent: boolean };
    }>(page, `turn:tls:turn.lab.test:${PORT.tls}`);
    expect.soft(engineTls.proxyAuth, digest).toEqual({
      proxy: `${lab.addr.routerInside}:${lab.ports.proxyAuth}`,
      schemes: ['Basic'],
      realm: lab.proxyAuthCredentials.realm,
      credentialsSent: false,
    });
    expect.soft(await page.locator('.finding[data-code="proxy-auth-required"]').count(), digest).toBeGreaterThan(0);
    // squid saw both halves and asked both for credentials.
    expect
      .soft(squid.filter((l) => /TCP_DENIED\/407 .*CONNECT turn\.lab\.test:443/.test(l)).length, digest)
      .toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('logged no page errors', () => {
    expect(app?.problems ?? ['app did not start']).toEqual([]);
  });
});

describe.skipIf(skip)('the app in the lab behind the authenticating proxy, Chromium signed in', () => {
  let app: AppInLab | null = null;

  beforeAll(async () => {
    await lab.up();
    await lab.scenario('proxy-auth-only');
    app = await startAppInLab({
      proxy: lab.proxyAuthUrl,
      proxyCredentials: { username: lab.proxyAuthCredentials.username, password: lab.proxyAuthCredentials.password },
    });
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await lab.down();
  });

  it('after one signed-in page load, the in-app TURN-TLS relay goes through the proxy and the verdicts are turn-tls', async () => {
    const page = app!.page;
    const logBefore = squidLines().length;
    // A page load through the proxy: the challenge is answered, Chromium keeps the credentials.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate(() => {
        window.open('https://sig.lab.test/');
      }),
    ]);
    await popup.waitForLoadState();
    expect(await popup.content()).toContain('pathcheck-lab-signaling');
    await popup.close();
    await runAndWait(page);
    const shown = await shownVerdicts(page);
    const checks = await shownChecks(page);
    const squid = squidLines().slice(logBefore);
    const digest = `signed in: shown ${JSON.stringify(shown)}; checks ${JSON.stringify(checks)}\nsquid: ${squid.join('\n  ')}`;
    console.log(digest);
    expect.soft(checks[`webrtc:relay:tls:turn.lab.test:${PORT.tls}`], digest).toBe('pass');
    // The engine has no credentials: its own TLS allocation still meets the 407.
    expect.soft(checks[`turn:tls:turn.lab.test:${PORT.tls}`], digest).toBe('fail');
    expect.soft(shown, digest).toEqual({ group: 'turn-tls', p2p: 'turn-tls' });
    const tunnels = squid
      .map((l) => /\sTCP_TUNNEL\/200\s+(\d+)\s+CONNECT\s+turn\.lab\.test:443\s+(\S+)/.exec(l))
      .filter((m) => m !== null);
    expect
      .soft(
        tunnels.some((m) => m[2] === lab.proxyAuthCredentials.username && Number(m[1]) > 10_000),
        `a signed-in tunnel carried the relay stream\n${digest}`,
      )
      .toBe(true);
  }, 120_000);

  it('logged no page errors', () => {
    expect(app?.problems ?? ['app did not start']).toEqual([]);
  });
});
