import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { writeFileAtomic } from './atomic-write';

/**
 * PDF export for the CLI (`--pdf`): prints the report HTML with a Chromium already on the system
 * (Debian's here). Nothing is downloaded; the app uses Electron's printToPDF on the same document.
 */

export class PdfError extends Error {
  override name = 'PdfError';
}

export interface FindChromiumOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Injected for tests; defaults to "exists and is an executable file". */
  isExecutable?: (file: string) => boolean;
}

function defaultIsExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (process.platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The places a Chromium-family browser lives on Linux, macOS and Windows, in order of preference. */
export function chromiumCandidates(platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  if (platform === 'win32') {
    const roots = [
      env['PROGRAMFILES'],
      env['PROGRAMFILES(X86)'],
      env['ProgramFiles'],
      env['ProgramFiles(x86)'],
      env['LOCALAPPDATA'],
    ].filter((r): r is string => !!r);
    const rel = [
      'Google\\Chrome\\Application\\chrome.exe',
      'Chromium\\Application\\chrome.exe',
      'Microsoft\\Edge\\Application\\msedge.exe',
    ];
    return [...new Set(rel.flatMap((r) => roots.map((root) => `${root}\\${r}`)))];
  }
  if (platform === 'darwin') {
    const apps = [
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Chromium.app/Contents/MacOS/Chromium',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
    const home = env['HOME'];
    return [...apps.map((a) => `/Applications/${a}`), ...(home ? apps.map((a) => `${home}/Applications/${a}`) : [])];
  }
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];
  const fixed = [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ];
  const onPath = (env['PATH'] ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((d) => names.map((n) => join(d, n)));
  return [...new Set([...fixed, ...onPath])];
}

/**
 * Finds a Chromium to print with: $PATHCHECK_CHROMIUM first (an error if it is set but unusable, so
 * a typo is not silently replaced by another browser), then the usual install locations.
 * Throws a PdfError naming what was tried and how to fix it.
 */
export function findChromium(opts: FindChromiumOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const ok = opts.isExecutable ?? defaultIsExecutable;
  const forced = env['PATHCHECK_CHROMIUM'];
  if (forced) {
    if (ok(forced)) return forced;
    throw new PdfError(`PATHCHECK_CHROMIUM is set to ${forced}, which is not an executable file`);
  }
  const candidates = chromiumCandidates(platform, env);
  const found = candidates.find(ok);
  if (found) return found;
  throw new PdfError(
    'No Chromium, Chrome or Edge found to print the PDF. Install one (Debian/Ubuntu: apt-get install chromium) ' +
      'or set PATHCHECK_CHROMIUM to its executable; --html writes the same report without a browser. ' +
      `Looked in: ${candidates.slice(0, 6).join(', ')}${candidates.length > 6 ? ', …' : ''}`,
  );
}

export interface PrintPdfOptions {
  paper?: 'A4' | 'Letter';
  /** Deadline for the whole print (launch, layout, PDF), default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Chromium footer (see html/footerTemplate); default: "Page X of Y". */
  footerTemplate?: string;
  headerTemplate?: string;
  /** Browser to use; default `findChromium()`. */
  executablePath?: string;
}

export interface PrintPdfResult {
  file: string;
  bytes: number;
  durationMs: number;
  executablePath: string;
}

const DEFAULT_FOOTER =
  '<div style="font-size:8px;width:100%;text-align:center;color:#5a626c;">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Prints `html` to `outFile` (written atomically). The browser is always closed, also on timeout or
 * abort; the page cannot fetch anything (every request is aborted).
 */
export async function printPdf(html: string, outFile: string, opts: PrintPdfOptions = {}): Promise<PrintPdfResult> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const executablePath = opts.executablePath ?? findChromium();
  if (opts.signal?.aborted) throw new PdfError('PDF printing was cancelled');
  // Loaded on first use: playwright-core costs ~90 MB of memory, and only PDF export needs it.
  const { chromium } = await import('playwright-core');

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PdfError(`PDF printing did not finish within ${timeoutMs} ms`)), timeoutMs);
    onAbort = () => reject(new PdfError('PDF printing was cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  const launching: Promise<Browser> = chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    timeout: timeoutMs,
    headless: true,
  });
  // A launch that finishes after the deadline must still be closed.
  launching.catch(() => {});

  const work = async (): Promise<Buffer> => {
    const browser = await launching;
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load', timeout: timeoutMs });
    await page.emulateMedia({ media: 'print' });
    return page.pdf({
      format: opts.paper ?? 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: opts.headerTemplate ?? '<div></div>',
      footerTemplate: opts.footerTemplate ?? DEFAULT_FOOTER,
    });
  };

  try {
    const pdf = await Promise.race([work(), stop]);
    await writeFileAtomic(outFile, pdf);
    return { file: outFile, bytes: pdf.length, durationMs: Date.now() - started, executablePath };
  } catch (e) {
    if (e instanceof PdfError) throw e;
    throw new PdfError(`PDF printing failed with ${executablePath}: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    // Close whatever was launched, however we got here; bounded so a wedged browser cannot hang us.
    const closing = launching.then((b) => b.close()).catch(() => {});
    await Promise.race([closing, new Promise((r) => setTimeout(r, 5_000).unref())]);
  }
}

/** True when a Chromium is available (for callers that want to offer --pdf only when it can work). */
export function hasChromium(opts: FindChromiumOptions = {}): boolean {
  try {
    findChromium(opts);
    return true;
  } catch {
    return false;
  }
}
