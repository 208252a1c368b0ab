import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InvokeChannel } from '#common/ipc/contract';
import { V6_BLOCKED_MESSAGE } from '#common/report/family';
import { checkCountsText } from '#common/report/family-rows';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';
import { describeVerdict } from '#common/report/summary';
import { createHistory } from '#node/report/history';
import { printPdf } from '#node/report/pdf';
import type { IpcHarness } from '../support/ipc-harness';
import { missingPrereqs, prereqs } from '../support/prereq';
import { reportsHarness, reportsSetup, type ReportsSetup } from '../unit/main/ipc/reports-support';
import { bindingBridgeScript, CHROMIUM_ARGS, serveRenderer } from './bridge-page';
import { ensureAppBuilt, ROOT } from './built-app';

/**
 * Dual-stack reports in the built renderer in Debian's Chromium, opened from the history as a
 * helpdesk would: IPv6 rows grouped under IPv4, the ipv6-blocked warning shown once, the family in
 * the verdict sentence; and the PDF of the same report, read back with pdftotext and pdftoppm.
 * Screenshots: docs/screenshot-results-dual-stack.png, docs/screenshot-results-v6-dropped.png.
 */
const skip = missingPrereqs('dual-stack results e2e (Chromium)', [prereqs.chromium, prereqs.pdftotext]);
const FIXTURES = resolve(ROOT, 'test/fixtures/reports');

function load(name: string): Report {
  const r = parseReportJson(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  if (!r.ok) throw new Error(`fixture ${name}`);
  return r.report;
}

describe.skipIf(skip)('dual-stack reports in Chromium (e2e)', () => {
  let s: ReportsSetup;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let harness: IpcHarness;
  const ids: Record<string, string> = {};
  const reports: Record<string, Report> = {};
  const problems: string[] = [];

  beforeAll(async () => {
    ensureAppBuilt();
    s = reportsSetup();
    s.deps.printPdf = async (html, options) => {
      const file = join(s.root, `print-${Date.now()}.pdf`);
      await printPdf(html, file, {
        footerTemplate: options.footerTemplate,
        headerTemplate: options.headerTemplate,
        executablePath: '/usr/bin/chromium',
      });
      return readFileSync(file);
    };
    const history = createHistory(s.historyDir);
    for (const name of ['dual-stack-open', 'v6-dropped', 'v4-tcp-443-v6-open']) {
      reports[name] = load(name);
      ids[name] = (await history.save(reports[name])).id;
    }
    const started = await serveRenderer();
    server = started.server;
    harness = reportsHarness(s, undefined, started.origin);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.exposeBinding('__pathcheckInvoke', (source, channel: InvokeChannel, payload: unknown) =>
      harness.invoke(channel, payload as never, {
        url: source.frame.url(),
        mainFrame: source.frame === source.page.mainFrame(),
      }),
    );
    await page.addInitScript({ content: bindingBridgeScript() });
    await page.goto(`${started.origin}/index.html`);
    mkdirSync(resolve(ROOT, 'docs'), { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    s?.cleanup();
  });

  async function open(name: string): Promise<void> {
    const back = page.getByRole('button', { name: '← All reports' });
    if (await back.count()) await back.click();
    else await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.locator(`[data-id="${ids[name]}"]`).getByRole('button', { name: 'Open' }).click();
    await page.locator('.report').waitFor();
  }

  it('dual-stack open: one row per check with its IPv6 twin under it, no family in the sentences', async () => {
    await open('dual-stack-open');
    const r = reports['dual-stack-open']!;
    expect(await page.locator('li.check').count()).toBe(11);
    expect(await page.locator('li.check .check--v6').count()).toBe(9);
    expect(await page.locator('.verdict__sentence').allTextContents()).toEqual([
      describeVerdict('group', r.verdicts.group!, r),
      describeVerdict('p2p', r.verdicts.p2p!, r),
    ]);
    expect((await page.locator('.verdict__sentence').allTextContents()).join(' ')).not.toMatch(/IPv[46]/);
    expect(await page.locator('[data-facts="ipv6"]').textContent()).toContain('temporary');
    await page.screenshot({ path: resolve(ROOT, 'docs/screenshot-results-dual-stack.png'), fullPage: true });
  });

  it('v6-dropped: the same verdicts over IPv4, the warning once, the failed IPv6 twins under passing IPv4 rows', async () => {
    await open('v6-dropped');
    const r = reports['v6-dropped']!;
    expect(await page.locator('.verdict').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toEqual([
      'direct-udp',
      'direct-udp',
    ]);
    expect(await page.locator('.verdict__sentence').first().textContent()).toBe(
      describeVerdict('group', r.verdicts.group!, r),
    );
    const text = (await page.locator('.report').textContent()) ?? '';
    expect(text.split(V6_BLOCKED_MESSAGE).length - 1).toBe(1);
    expect(await page.locator('li.check').count()).toBe(11);
    expect(await page.locator('li.check[data-status="fail"]').count()).toBe(0);
    expect(await page.locator('.check--v6[data-status="fail"]').count()).toBe(8);
    expect(await page.locator('.checks__counts').textContent()).toContain('(+ IPv6: 9 checks: 0 passed, 8 failed');
    await page.screenshot({ path: resolve(ROOT, 'docs/screenshot-results-v6-dropped.png'), fullPage: true });
  });

  it('v4-tcp-443-v6-open: the PDF names IPv6 in the verdict and groups the IPv6 rows; every page renders', async () => {
    await open('v4-tcp-443-v6-open');
    const r = reports['v4-tcp-443-v6-open']!;
    expect(await page.locator('.verdict__sentence').first().textContent()).toContain(', over IPv6 —');
    s.nextSavePath = join(s.root, 'dual-stack.pdf');
    await page.getByRole('button', { name: 'Save PDF' }).click();
    await vi.waitFor(() => expect(existsSync(s.nextSavePath!)).toBe(true), { timeout: 45_000, interval: 200 });
    await vi.waitFor(() => expect(statSync(s.nextSavePath!).size).toBeGreaterThan(1000), { timeout: 10_000 });
    const pdfText = execFileSync('pdftotext', [s.nextSavePath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(pdfText).toContain(describeVerdict('group', r.verdicts.group!, r));
    expect(pdfText).toContain(checkCountsText(r.checks));
    const pngDir = join(s.root, 'pages');
    mkdirSync(pngDir);
    execFileSync('pdftoppm', ['-r', '60', '-png', s.nextSavePath, join(pngDir, 'p')]);
    const pages = readdirSync(pngDir);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) expect(statSync(join(pngDir, p)).size).toBeGreaterThan(2000);
  }, 60_000);

  it('logged no page errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
