import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { footerTemplate, renderReportHtml } from '#common/report/html/index';
import { describeVerdict } from '#common/report/summary';
import { findChromium, PdfError, printPdf } from '#node/report/pdf';
import { missingPrereqs, prereqs } from '#test/support/prereq';
import { loadFixture } from '../../common/report/fixtures';

const run = promisify(execFile);

/** Page sizes in PostScript points. */
const PAPER = { A4: [595.28, 841.89], Letter: [612, 792] } as const;

/** Parses a binary PGM (P5) as written by `pdftoppm -gray`: returns the fraction of non-white pixels. */
function inkFraction(pgm: Buffer): number {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PGM');
  const [, w, h] = header.map(Number) as [number, number, number, number];
  const pixels = pgm.subarray(header[0].length);
  expect(pixels.length).toBe(w * h);
  let ink = 0;
  for (const p of pixels) if (p < 200) ink++;
  return ink / pixels.length;
}

/** Whitespace-free text, so table cells that wrap (long check ids) still match. */
const squash = (s: string) => s.replace(/\s+/g, '');

describe('findChromium', () => {
  it('prefers PATHCHECK_CHROMIUM and refuses an unusable one instead of silently using another browser', () => {
    const isExecutable = (f: string) => f === '/opt/c/chrome' || f === '/usr/bin/chromium';
    expect(findChromium({ env: { PATHCHECK_CHROMIUM: '/opt/c/chrome' }, platform: 'linux', isExecutable })).toBe(
      '/opt/c/chrome',
    );
    expect(() => findChromium({ env: { PATHCHECK_CHROMIUM: '/nope' }, platform: 'linux', isExecutable })).toThrow(
      /PATHCHECK_CHROMIUM is set to \/nope/,
    );
    expect(findChromium({ env: {}, platform: 'linux', isExecutable })).toBe('/usr/bin/chromium');
  });

  it('knows the Windows and macOS locations', () => {
    const win = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
    expect(
      findChromium({
        env: { 'PROGRAMFILES(X86)': 'C:\\Program Files (x86)' },
        platform: 'win32',
        isExecutable: (f) => f === win,
      }),
    ).toBe(win);
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(findChromium({ env: {}, platform: 'darwin', isExecutable: (f) => f === mac })).toBe(mac);
  });

  it('explains what to do when there is no browser', () => {
    let err: unknown;
    try {
      findChromium({ env: { PATH: '/x' }, platform: 'linux', isExecutable: () => false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PdfError);
    expect((err as Error).message).toMatch(/No Chromium.*apt-get install chromium.*PATHCHECK_CHROMIUM.*--html/);
  });
});

const skip = missingPrereqs('pdf', [prereqs.chromium, prereqs.pdftotext]);

describe.skipIf(skip !== null)('printPdf with the system Chromium', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pathcheck-pdf-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['A4', 'Letter'] as const)('%s: text, page size, page numbers and non-blank pages', async (paper) => {
    const report = loadFixture('only-tcp-443');
    const html = renderReportHtml(report, { compareWith: loadFixture('blocked') });
    const out = join(dir, `report-${paper}.pdf`);
    const res = await printPdf(html, out, { paper, footerTemplate: footerTemplate(report), timeoutMs: 60_000 });
    expect(res.bytes).toBeGreaterThan(10_000);
    expect((await readFile(out)).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const text = (await run('pdftotext', ['-layout', out, '-'])).stdout;
    const flat = squash(text);
    expect(flat).toContain(squash(describeVerdict('group', report.verdicts.group!)));
    expect(flat).toContain(squash(describeVerdict('p2p', report.verdicts.p2p!)));
    expect(flat).toContain(squash(report.profile.name));
    for (const c of report.checks) expect(flat, c.id).toContain(squash(c.id));
    expect(flat).toContain('Changessince');

    const info = (await run('pdfinfo', [out])).stdout;
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
    const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(info);
    expect(size).not.toBeNull();
    expect(Math.abs(Number(size![1]) - PAPER[paper][0])).toBeLessThan(2);
    expect(Math.abs(Number(size![2]) - PAPER[paper][1])).toBeLessThan(2);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);

    const prefix = join(dir, `page-${paper}`);
    await run('pdftoppm', ['-gray', '-r', '20', out, prefix]);
    const pgms = (await readdir(dir)).filter((f) => f.startsWith(`page-${paper}`) && f.endsWith('.pgm')).sort();
    expect(pgms.length).toBe(pages);
    for (const f of pgms) {
      const ink = inkFraction(await readFile(join(dir, f)));
      expect(ink, `${f} looks blank`).toBeGreaterThan(0.005);
      expect(ink, `${f} looks solid`).toBeLessThan(0.6);
    }
  });

  it('enforces the deadline and leaves no browser behind', async () => {
    const out = join(dir, 'never.pdf');
    await expect(printPdf(renderReportHtml(loadFixture('open')), out, { timeoutMs: 1 })).rejects.toThrow(
      /did not finish within 1 ms/,
    );
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
    // Every browser this process started has been closed (poll: the OS reaps asynchronously).
    let children: string[] = [];
    for (let i = 0; i < 50; i++) {
      children = await chromiumChildren();
      if (children.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(children).toEqual([]);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(printPdf('<p>x</p>', join(dir, 'x.pdf'), { signal: ac.signal })).rejects.toThrow(/cancelled/);
  });
});

/** Chromium processes whose parent is this test process. */
async function chromiumChildren(): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (m && Number(m[2]) === process.pid && /chrom/i.test(m[1]!)) out.push(`${pid} ${m[1]}`);
  }
  return out;
}
