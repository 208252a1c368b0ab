import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bindingBridgeScript, CHROMIUM_ARGS, serveRenderer } from './bridge-page';
import type { EventChannel, InvokeChannel } from '#common/ipc/contract';
import { parseReportJson } from '#common/report/parse';
import type { Profile } from '#common/profile/schema';
import type { Report } from '#common/report/schema';
import { mergeResults } from '#node/engine/recheck';
import { createHistory } from '#node/report/history';
import { printPdf } from '#node/report/pdf';
import type { IpcHarness } from '../support/ipc-harness';
import { missingPrereqs, prereqs } from '../support/prereq';
import {
  fakeFirewallDeps,
  reportsHarness,
  reportsSetup,
  seedRun,
  type ReportsSetup,
} from '../unit/main/ipc/reports-support';
import { ensureAppBuilt, ROOT } from './built-app';

/**
 * History, compare, PDF and the Fix dialog in the built renderer in Debian's Chromium, over main's
 * own handlers (createHandlers behind the validating wrapper). The PDF goes through the harness's
 * printPdf — the CLI's system-Chromium printer (node/report/pdf.ts) — on the same renderReportHtml
 * document the app prints, and is read back with pdftotext and pdftoppm.
 */
const skip = missingPrereqs('reports e2e (Chromium)', [prereqs.chromium, prereqs.pdftotext]);

const FIXTURES = resolve(ROOT, 'test/fixtures/reports');
const SHOT_HISTORY = resolve(ROOT, 'docs/screenshot-history.png');
const SHOT_COMPARE = resolve(ROOT, 'docs/screenshot-compare.png');
const SHOT_FIX = resolve(ROOT, 'docs/screenshot-fix.png');
const SHOT_FIXED = resolve(ROOT, 'docs/screenshot-fix-verified.png');
const SHOT_TICKET = resolve(ROOT, 'docs/screenshot-ticket.png');

function load(name: string): Report {
  const r = parseReportJson(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  if (!r.ok) throw new Error(`fixture ${name}`);
  return r.report;
}

/** only-tcp-443 with UDP 3478 to TURN dropped by the local firewall (what local-drop-udp-3478 yields). */
function localBlocked(): Report {
  const r = load('only-tcp-443');
  r.startedAt = '2026-11-27T04:40:00.000Z';
  r.firewall = {
    layer: 'local',
    blocked: [
      {
        protocol: 'udp',
        ports: [[3478, 3478]],
        to: ['turn.lab.test'],
        purpose: 'TURN over UDP',
        checks: ['turn:udp:turn.lab.test:3478'],
        layer: 'local',
      },
    ],
  };
  return r;
}

describe.skipIf(skip)('reports in Chromium (e2e): history, compare, PDF, fix', () => {
  let s: ReportsSetup;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let harness: IpcHarness;
  const ids: Record<string, string> = {};
  const problems: string[] = [];
  const fw = fakeFirewallDeps();

  beforeAll(async () => {
    ensureAppBuilt();
    s = reportsSetup();
    // The harness prints with the CLI's printer: the system Chromium, on the same document.
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
    ids.open = (await history.save(load('open'))).id;
    ids.tcp443 = (await history.save(load('only-tcp-443'))).id;
    ids.blocked = (await history.save(load('blocked'))).id;

    const started = await serveRenderer();
    server = started.server;
    harness = reportsHarness(s, fw, started.origin);
    // The local block is measured by main in this session: only such a report may change the firewall.
    ids.local = await seedRun(harness, localBlocked());
    harness.onEmit = (channel: EventChannel, payload) => {
      void page.evaluate(
        ([c, p]) => (window as unknown as { __pathcheckEmit(c: string, p: unknown): void }).__pathcheckEmit(c, p),
        [channel, payload] as const,
      );
    };
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({
      viewport: { width: 1200, height: 900 },
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

  it('the History tab lists saved reports newest first', async () => {
    await page.getByRole('button', { name: 'History', exact: true }).click();
    await page.locator('.hist__row').first().waitFor();
    const rows = await page.locator('.hist__row').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    // Start times: local 04:40, blocked 04:30, only-tcp-443 04:22, open 04:15.
    expect(rows).toEqual([ids.local, ids.blocked, ids.tcp443, ids.open]);
    expect(await page.locator('.hist__row').first().locator('.pill').allTextContents()).toEqual([
      'Group: TURN over TLS',
      'P2P: TURN over TLS',
    ]);
    await page.screenshot({ path: SHOT_HISTORY, fullPage: true });
  });

  it('compares two reports: verdicts, flipped checks, latency deltas', async () => {
    await page.locator(`[data-id="${ids.open}"] input[type="checkbox"]`).check();
    await page.locator(`[data-id="${ids.tcp443}"] input[type="checkbox"]`).check();
    await page.getByRole('button', { name: 'Compare 2/2' }).click();
    await page.locator('.cmp').waitFor();
    expect(await page.locator('.cmp [data-room="group"] td').allTextContents()).toEqual([
      'Group calls',
      'Direct UDP',
      'TURN over TLS',
      'worse',
    ]);
    expect(await page.locator('.cmp__flip').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-check="turn:udp:turn.lab.test:3478"]').textContent()).toMatch(/pass → fail/);
    expect(await page.getByRole('table', { name: 'Latency deltas' }).locator('tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: SHOT_COMPARE, fullPage: true });

    // The same comparison in the PDF: "Changes since <before>".
    s.nextSavePath = join(s.root, 'compare.pdf');
    await page.getByRole('button', { name: 'Save PDF with changes' }).click();
    await vi.waitFor(() => expect(existsSync(s.nextSavePath!)).toBe(true), { timeout: 45_000, interval: 200 });
    const text = execFileSync('pdftotext', ['-layout', s.nextSavePath, '-'], { encoding: 'utf8' });
    expect(text).toMatch(/Changes since/);
    expect(text).toMatch(/worse/);
  }, 60_000);

  it('opens a report and saves its PDF through main; pdftotext finds the verdicts, profile and check table', async () => {
    await page.locator(`[data-id="${ids.tcp443}"]`).getByRole('button', { name: 'Open' }).click();
    await page.locator('.report').waitFor();
    s.nextSavePath = join(s.root, 'saved-report.pdf');
    await page.getByRole('button', { name: 'Save PDF' }).click();
    await vi.waitFor(
      () => expect(page.locator('[role="status"]').textContent()).resolves.toBe('Saved saved-report.pdf.'),
      { timeout: 45_000, interval: 200 },
    );
    const pdf = readFileSync(s.nextSavePath);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', s.nextSavePath, '-'], { encoding: 'utf8' });
    expect(text).toContain('Lab stack');
    expect(text).toMatch(/TURN over TLS/);
    expect(text).toMatch(/turn:udp:turn\.lab\.test:3478|turn\.lab\.test/);
    expect(text).toMatch(/Page 1 of \d+/);
    // pdftoppm renders every page, none blank (a blank A4 page at 30 dpi is ~100 bytes of PNG).
    const pngDir = join(s.root, 'pages');
    mkdirSync(pngDir);
    execFileSync('pdftoppm', ['-r', '30', '-png', s.nextSavePath, join(pngDir, 'p')]);
    const pages = readdirSync(pngDir);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) expect(statSync(join(pngDir, p)).size).toBeGreaterThan(2000);
  }, 60_000);

  it('Fix firewall on a local block: the exact rules, consent, apply, before/after', async () => {
    // The engine's re-check, faked: the checks on UDP 3478 now pass; verdicts recomputed by mergeResults.
    fw.recheck.mockImplementation(async (profile: Profile, previous: Report) => {
      const fixed = previous.checks
        .filter((c) => (c.port === 3478 && c.transport === 'udp') || c.kind === 'nat')
        .map((c) => ({ ...c, status: 'pass' as const, reason: 'ok' as const, rttMs: 2.1, layer: undefined }));
      return { ...mergeResults(profile, previous, { checks: fixed }), startedAt: '2026-11-27T04:41:00.000Z' };
    });
    await page.getByRole('button', { name: /All reports/ }).click();
    await page.locator(`[data-id="${ids.local}"]`).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('button', { name: 'Fix firewall…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Fix firewall' });
    await dialog.locator('pre[aria-label="Rules to apply"]').waitFor();
    expect(await dialog.locator('pre[aria-label="Rules to apply"]').textContent()).toContain('inet pc_fw local_out');
    expect(await dialog.getByRole('button', { name: 'Apply with administrator rights' }).isDisabled()).toBe(true);
    await dialog.getByRole('checkbox').check();
    await page.screenshot({ path: SHOT_FIX });
    await dialog.getByRole('button', { name: 'Apply with administrator rights' }).click();
    await dialog.locator('.ba').waitFor();
    expect(await dialog.locator('.ba [data-check="turn:udp:turn.lab.test:3478"] td').allTextContents()).toEqual([
      'TURN over UDP turn.lab.test:3478',
      'fail',
      'pass',
    ]);
    expect(await dialog.locator('.ba [data-room="group"] td').allTextContents()).toEqual([
      'Group calls',
      'TURN over TLS',
      'TURN over UDP',
    ]);
    await page.screenshot({ path: SHOT_FIXED });
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('a perimeter block: "Prepare ticket for the network team", Cisco ASA rules and evidence', async () => {
    await page.getByRole('button', { name: /All reports/ }).click();
    await page.locator(`[data-id="${ids.tcp443}"]`).getByRole('button', { name: 'Open' }).click();
    // Nothing is blocked on this computer, so the report's button is the ticket, and it opens on it.
    expect(await page.getByRole('button', { name: 'Fix firewall…' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Prepare ticket for the network team' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ticket for the network team' });
    await dialog.locator('.ticket__rules').waitFor();
    expect(await dialog.getByRole('note').textContent()).toMatch(/not on this computer/);
    expect(await dialog.getByLabel('Firewall syntax').inputValue()).toBe('cisco-asa');
    expect(await dialog.locator('.ticket__rules').textContent()).toMatch(/access-list PATHCHECK-OUT extended permit/);
    await page.screenshot({ path: SHOT_TICKET });

    s.nextSavePath = join(s.root, 'ticket.pdf');
    await dialog.getByRole('button', { name: 'Save PDF with these rules' }).click();
    await vi.waitFor(() => expect(existsSync(s.nextSavePath!)).toBe(true), { timeout: 45_000, interval: 200 });
    const text = execFileSync('pdftotext', ['-layout', s.nextSavePath, '-'], { encoding: 'utf8' });
    expect(text).toContain('Appendix: firewall rules');
    expect(text).toMatch(/access-list PATHCHECK-OUT extended permit/);
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('reads well in the dark theme too', async () => {
    await page.getByText('Dark', { exact: true }).click();
    await page.getByRole('button', { name: /All reports/ }).click();
    await page.locator(`[data-id="${ids.local}"]`).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('button', { name: 'Fix firewall…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Fix firewall' });
    await dialog.locator('pre[aria-label="Rules to apply"]').waitFor();
    const colors = await dialog.evaluate((el) => ({
      bg: getComputedStyle(el).backgroundColor,
      fg: getComputedStyle(el).color,
    }));
    expect(colors.bg).not.toBe(colors.fg);
    expect(colors.bg).toBe('rgb(27, 31, 37)');
    await page.screenshot({ path: resolve(ROOT, 'docs/screenshot-fix-dark.png') });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByText('System', { exact: true }).click();
  });

  it('logged no page errors or CSP violations', () => {
    expect(problems).toEqual([]);
    expect(existsSync(SHOT_HISTORY) && existsSync(SHOT_FIX)).toBe(true);
  });
});
