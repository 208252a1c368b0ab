import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindingBridgeScript, CHROMIUM_ARGS, serveRenderer } from './bridge-page';
import { BRIDGE_SHAPE } from '#common/ipc/bridge';
import type { EventChannel, InvokeChannel } from '#common/ipc/contract';
import { ENGINE_UNAVAILABLE_MESSAGE } from '#main/ipc/handlers';
import { CSP, CSP_META } from '#main/security/csp';
import { createIpcHarness, type IpcHarness } from '../support/ipc-harness';
import { missingPrereqs, prereqs } from '../support/prereq';
import { ensureAppBuilt, ROOT } from './built-app';

/**
 * The built renderer in Debian's Chromium, with the bridge injected so that it calls the very
 * handler functions main registers (createHandlers, behind main's validating wrapper). The page is
 * served over http://127.0.0.1 by the app protocol's own request handler, so it gets the same
 * files and the same CSP header as in the app.
 */
const skip = missingPrereqs('chromium e2e', [prereqs.chromium]);

const SCREENSHOT = resolve(ROOT, 'docs/screenshot-first-screen.png');
const SCREENSHOT_DARK = resolve(ROOT, 'docs/screenshot-first-screen-dark.png');
const VERSION = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe.skipIf(skip)('renderer in Chromium (e2e)', () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let harness: IpcHarness;
  const problems: string[] = [];
  let cspHeader: string | null = null;

  beforeAll(async () => {
    ensureAppBuilt();
    ({ server, origin } = await serveRenderer());
    // No engine here: the app's own main wires the engine when it lands; this asserts the plain
    // "not available" path. Give createIpcHarness the engine to see events stream instead.
    harness = createIpcHarness({ origin, version: VERSION });
    harness.onEmit = (channel: EventChannel, payload) => {
      void page.evaluate(
        ([c, p]) => (window as unknown as { __pathcheckEmit(c: string, p: unknown): void }).__pathcheckEmit(c, p),
        [channel, payload] as const,
      );
    };
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({
      viewport: { width: 1200, height: 860 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`http ${r.status()}: ${r.url()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.exposeBinding('__pathcheckInvoke', (source, channel: InvokeChannel, payload: unknown) =>
      harness.invoke(channel, payload as never, {
        url: source.frame.url(),
        mainFrame: source.frame === source.page.mainFrame(),
      }),
    );
    await page.addInitScript({ content: bindingBridgeScript() });
    const response = await page.goto(`${origin}/index.html`);
    cspHeader = response?.headers()['content-security-policy'] ?? null;
    await page.getByRole('radio', { name: /Twilio Programmable Video/ }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  it('lists the built-in profiles from main, the default chosen', async () => {
    const names = await page.locator('.picker__name').allTextContents();
    expect(names[0]).toBe('Twilio Programmable Video');
    expect(names).toEqual(
      expect.arrayContaining(['Zoom Meetings / Video SDK', 'LiveKit Cloud', 'Jitsi Meet (self-hosted template)']),
    );
    expect(await page.getByRole('radio', { name: /Twilio Programmable Video/ }).isChecked()).toBe(true);
  });

  it("shows Twilio's end-of-service notice", async () => {
    await expect
      .poll(() => page.getByRole('note').textContent())
      .toContain('Twilio Programmable Video ends on 2026-12-05.');
    mkdirSync(resolve(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('switches to the dark theme and back', async () => {
    await page.getByText('Dark', { exact: true }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(18, 21, 25)');
    await page.screenshot({ path: SCREENSHOT_DARK, fullPage: true });
    await page.getByText('System', { exact: true }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
  });

  it('is usable from the keyboard: Tab reaches Run, Enter runs it, the answer is plain', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    let focused = '';
    for (let i = 0; i < 12 && focused !== 'Run diagnosis'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? '');
    }
    expect(focused).toBe('Run diagnosis');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.run__status').textContent()).toContain(ENGINE_UNAVAILABLE_MESSAGE);
    expect(await page.locator('.run__status').textContent()).toContain('Nothing was tested on this network.');
  });

  it('follows the choice of profile', async () => {
    await page.getByRole('radio', { name: /LiveKit Cloud/ }).check();
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('LiveKit Cloud');
    await page.getByRole('radio', { name: /Twilio Programmable Video/ }).check();
  });

  it('exposes no Node and exactly the designed bridge', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      module: typeof (window as unknown as { module?: unknown }).module,
      bridge: Object.fromEntries(Object.entries(window.pathcheck ?? {}).map(([k, v]) => [k, Object.keys(v as object)])),
    }));
    expect(globals).toMatchObject({ require: 'undefined', process: 'undefined', module: 'undefined' });
    expect(globals.bridge).toEqual(Object.fromEntries(Object.entries(BRIDGE_SHAPE).map(([k, v]) => [k, [...v]])));
  });

  it('answers a subframe with forbidden-sender through the real wrapper', async () => {
    const result = await harness.invoke('profiles:list', undefined, { url: `${origin}/index.html`, mainFrame: false });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });

  it('logged no page errors and no CSP violations while loading', () => {
    expect(problems).toEqual([]);
  });

  // Last: it provokes CSP violations on purpose.
  it('runs under the CSP (header and meta tag) and the CSP is enforced', async () => {
    expect(cspHeader).toBe(CSP);
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(CSP_META);
    const enforced = await page.evaluate(async (elsewhere) => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const inline = document.createElement('script');
      inline.textContent = 'window.__inlineRan = true';
      document.head.append(inline);
      const remote = document.createElement('script');
      remote.src = `${elsewhere}/x.js`;
      document.head.append(remote);
      const style = document.createElement('style');
      style.textContent = 'body { display: none }';
      document.head.append(style);
      await new Promise((r) => setTimeout(r, 100));
      return {
        inlineRan: (window as unknown as { __inlineRan?: boolean }).__inlineRan ?? false,
        bodyDisplay: getComputedStyle(document.body).display,
        violations: [...new Set(violations)].sort(),
      };
    }, 'http://127.0.0.1:9');
    expect(enforced).toEqual({
      inlineRan: false,
      bodyDisplay: 'block',
      violations: ['script-src-elem', 'style-src-elem'],
    });
  });
});
