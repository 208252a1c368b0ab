import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, InvokeChannel } from '#common/ipc/contract';
import type { Profile } from '#common/profile/schema';
import { ReportSchema, type Report } from '#common/report/schema';
import { describeVerdict } from '#common/report/summary';
import type { DiagnosisEngine } from '#main/ipc/handlers';
import { planChecks } from '#node/engine/plan';
import { createIpcHarness, type IpcHarness } from '../support/ipc-harness';
import { missingPrereqs, prereqs } from '../support/prereq';
import { ensureAppBuilt, ROOT } from './built-app';
import { bindingBridgeScript, CHROMIUM_ARGS, serveRenderer } from './bridge-page';

/**
 * The diagnosis flow in Debian's Chromium, outside the lab: an imported profile, a run whose
 * engine replays a recorded lab report check by check (so the ladder lights up), the real WebRTC
 * suite in the page, and the results screen — checked from the keyboard, at 1280×800, at 200 %
 * zoom and in the dark theme. The lab e2e (test/lab/webrtc-app.test.ts) does the same for real.
 */
const skip = missingPrereqs('results e2e', [prereqs.chromium]);
// Without the lab's CA path: it exists only while the lab runs, and main reads tls.ca before a run starts.
const LAB_PROFILE = readFileSync(resolve(ROOT, 'test/lab/profile.json'), 'utf8').replace(
  /,\s*"tls": \{ "ca": "[^"]*" \}/,
  '',
);
const FIXTURE = ReportSchema.parse(
  JSON.parse(readFileSync(resolve(ROOT, 'test/fixtures/reports/only-tcp-443.json'), 'utf8')),
);

/** Replays the fixture: plan, then each check 60 ms apart, then the report. */
const replayEngine: DiagnosisEngine = {
  diagnose: async (profile: Profile, { runId, rooms, onEvent, signal }) => {
    const planned = planChecks(profile, { rooms, hasCredentials: true });
    onEvent({ type: 'plan', runId, checks: planned });
    for (const c of FIXTURE.checks.filter((x) => x.kind !== 'webrtc')) {
      await new Promise((r) => setTimeout(r, 60));
      if (signal.aborted) throw new Error('aborted');
      onEvent({ type: 'check', runId, result: c });
    }
    for (const r of FIXTURE.ranges) onEvent({ type: 'range', runId, result: r });
    onEvent({ type: 'nat', runId, result: FIXTURE.nat });
    const report: Report = {
      ...FIXTURE,
      id: runId,
      checks: FIXTURE.checks.filter((x) => x.kind !== 'webrtc'),
      profile: { id: profile.id, name: profile.name },
    };
    return report;
  },
};

describe.skipIf(skip)('diagnosis flow and results screen in Chromium (e2e)', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let harness: IpcHarness;
  const problems: string[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    let origin: string;
    ({ server, origin } = await serveRenderer());
    harness = createIpcHarness({ origin, engine: replayEngine });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    page = await context.newPage();
    harness.onEmit = (channel: EventChannel, payload) => {
      void page
        .evaluate(
          ([c, p]) => (window as unknown as { __pathcheckEmit(c: string, p: unknown): void }).__pathcheckEmit(c, p),
          [channel, payload] as const,
        )
        .catch(() => undefined);
    };
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
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

  it('shows field errors for an invalid imported profile, and imports a valid one', async () => {
    await page.getByRole('button', { name: 'or paste JSON' }).click();
    await page
      .getByLabel('Profile JSON')
      .fill(LAB_PROFILE.replace('"port": 3478, "transport": "tcp"', '"port": 70000, "transport": "tcp"'));
    await page.getByRole('button', { name: 'Check and import' }).click();
    const alert = page.locator('.import [role="alert"]');
    await expect.poll(() => alert.textContent()).toContain('turn[1].port');
    expect(await alert.textContent()).toContain('found 70000');
    await page.getByLabel('Profile JSON').fill(LAB_PROFILE);
    await page.getByRole('button', { name: 'Check and import' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Pathcheck network lab' }).count()).toBe(1);
    expect(await page.getByRole('radio', { name: /Pathcheck network lab/ }).isChecked()).toBe(true);
  });

  it('runs: the live ladder lights up, then the verdicts appear in plain language', async () => {
    await page.getByLabel('Source').selectOption('none');
    await page.getByRole('button', { name: 'Run diagnosis' }).click();
    await expect.poll(() => page.locator('.rung[data-state="fail"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.verdict').count(), { timeout: 30_000 }).toBe(2);
    const sentences = await page.locator('.verdict__sentence').allTextContents();
    expect(sentences).toEqual([
      describeVerdict('group', FIXTURE.verdicts.group!),
      describeVerdict('p2p', FIXTURE.verdicts.p2p!),
    ]);
    expect(await page.locator('.rung--chosen').first().getAttribute('data-rung')).toBe('turn-tls');
    // The page's own WebRTC checks made it into the report (skipped TURN without credentials, direct test, STUN gathering).
    expect(await page.locator('[data-check="webrtc:direct"]').count()).toBeGreaterThan(0);
    // Focus moved to the results heading.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('report-title');
    mkdirSync(resolve(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: resolve(ROOT, 'docs/screenshot-results-1280x800.png') });
  }, 60_000);

  it('opens evidence from the keyboard', async () => {
    const button = page.locator('li.check button').first();
    await button.focus();
    await page.keyboard.press('Enter');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await button.getAttribute('aria-expanded')).toBe('false');
  });

  it('stays readable at 200 % zoom (no horizontal scrolling) and in the dark theme', async () => {
    // 200 % zoom of a 1280×800 window lays the page out in 640×400 CSS pixels (media queries included).
    await page.setViewportSize({ width: 640, height: 400 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('#report-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: resolve(ROOT, 'docs/screenshot-results-zoom200.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByText('Dark', { exact: true }).click();
    await page.locator('#report-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: resolve(ROOT, 'docs/screenshot-results-dark.png') });
    await page.getByText('System', { exact: true }).click();
  });

  it('logged no page errors', () => {
    expect(problems).toEqual([]);
  });
});
