import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '#common/report/schema';
import { createHistory } from '#node/report/history';
import { createIpcHarness, type IpcHarness } from '#test/support/ipc-harness';
import { loadFixture } from '../../common/report/fixtures';
import { reportsHarness, reportsSetup, type ReportsSetup } from './reports-support';

let s: ReportsSetup;
let h: IpcHarness;

beforeEach(() => {
  s = reportsSetup();
  h = reportsHarness(s);
});
afterEach(() => s.cleanup());

/** Saves fixtures straight into the history dir (as earlier runs would have). */
async function seed(...names: Array<'open' | 'only-tcp-443' | 'blocked'>): Promise<Record<string, string>> {
  const history = createHistory(s.historyDir);
  const ids: Record<string, string> = {};
  for (const n of names) ids[n] = (await history.save(loadFixture(n))).id;
  return ids;
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('history channels', () => {
  it('lists newest first, without file paths', async () => {
    const ids = await seed('open', 'blocked', 'only-tcp-443');
    const list = value(await h.invoke('history:list'));
    // Fixture start times: blocked 04:30, only-tcp-443 04:22, open 04:15.
    expect(list.map((i) => i.id)).toEqual([ids.blocked, ids['only-tcp-443'], ids.open]);
    expect(list[0]).toEqual({
      id: ids.blocked,
      startedAt: '2026-11-27T04:30:41.077Z',
      profile: { id: 'lab', name: 'Lab stack' },
      verdicts: { group: 'blocked', p2p: 'blocked' },
    });
    expect(JSON.stringify(list)).not.toContain(s.historyDir);
  });

  it('opens a report, and says so when it is gone', async () => {
    const ids = await seed('open');
    const opened = value(await h.invoke('history:open', { id: ids.open! }));
    expect(opened.report.verdicts.group?.path).toBe('direct-udp');
    const missing = await h.invoke('history:open', { id: '20260101T000000000Z-00000000' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'report-not-found' } });
  });

  it('refuses anything that is not a history id before a handler runs (no path tricks)', async () => {
    for (const id of ['../../etc/passwd', 'x.json', '20260101T000000000Z-0000000g', '']) {
      expect(await h.invoke('history:open', { id })).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
      expect(await h.invoke('history:delete', { id })).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    }
  });

  it('deletes one report and leaves the others', async () => {
    const ids = await seed('open', 'blocked');
    expect(value(await h.invoke('history:delete', { id: ids.open! }))).toEqual({ deleted: true });
    expect(value(await h.invoke('history:list')).map((i) => i.id)).toEqual([ids.blocked]);
    expect(await h.invoke('history:delete', { id: ids.open! })).toMatchObject({
      ok: false,
      error: { code: 'report-not-found' },
    });
  });

  it('imports a valid report; corrupt, foreign, newer and path-like input get a clear error and change nothing', async () => {
    const good = readFileSync(join(import.meta.dirname, '../../../fixtures/reports/only-tcp-443.json'), 'utf8');
    const item = value(await h.invoke('history:import', { text: good }));
    expect(item.profile.id).toBe('lab');
    const before = readdirSync(s.historyDir).sort();

    const newer = JSON.stringify({ ...JSON.parse(good), schemaVersion: 2 });
    const cases: Array<[string, RegExp]> = [
      ['{"schemaVersion":1,', /not valid JSON/],
      ['{"name":"package","version":"1.0.0"}', /not a Pathcheck report/],
      [newer, /newer Pathcheck .*update Pathcheck/],
      [JSON.stringify({ ...JSON.parse(good), checks: 'nope' }), /checks/],
      ['/etc/passwd', /not a Pathcheck report/],
      // 100,000 levels in a check's evidence overflowed the stack when saved: an internal error, not an answer.
      [
        good.replace(/"evidence":\s*\{/, `"evidence":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)},`),
        /evidence\.x(\[0\])+: nested more than 32 levels deep/,
      ],
    ];
    for (const [text, message] of cases) {
      const r = await h.invoke('history:import', { text });
      expect(r).toMatchObject({ ok: false, error: { code: 'import-invalid' } });
      if (!r.ok) expect(r.error.message).toMatch(message);
    }
    expect(readdirSync(s.historyDir).sort()).toEqual(before);
  });

  it('exports JSON to the path the save dialog gives, and treats cancel as no-op', async () => {
    const ids = await seed('blocked');
    s.nextSavePath = join(s.root, 'export.json');
    expect(value(await h.invoke('history:export-json', { id: ids.blocked! }))).toEqual({
      saved: true,
      fileName: 'export.json',
    });
    expect(JSON.parse(readFileSync(s.nextSavePath, 'utf8'))).toEqual(loadFixture('blocked'));
    expect(s.saveRequests[0]).toMatchObject({
      defaultName: 'pathcheck-lab-20261127-0430.json',
      filters: [{ extensions: ['json'] }],
    });

    s.nextSavePath = null;
    expect(value(await h.invoke('history:export-json', { id: ids.blocked! }))).toEqual({ saved: false });
  });

  it('gives the ticket summary of a report', async () => {
    const ids = await seed('only-tcp-443');
    const { text } = value(await h.invoke('history:summary', { id: ids['only-tcp-443']! }));
    expect(text.split('\n').length).toBeLessThanOrEqual(15);
    expect(text).toMatch(/^Pathcheck .* Lab stack \(lab\)/);
    expect(text).toContain('Blocked');
  });

  it('compares two reports: verdict changes, flipped checks, labels', async () => {
    const ids = await seed('only-tcp-443', 'open');
    const c = value(await h.invoke('report:compare', { beforeId: ids['only-tcp-443']!, afterId: ids.open! }));
    expect(c.before.id).toBe(ids['only-tcp-443']);
    expect(c.comparison.verdicts.find((v) => v.room === 'group')).toMatchObject({
      before: 'turn-tls',
      after: 'direct-udp',
      improved: true,
    });
    expect(c.comparison.flipped.length).toBeGreaterThan(0);
    for (const f of c.comparison.flipped) expect(c.labels[f.id]).toBeTruthy();
    expect(await h.invoke('report:compare', { beforeId: ids.open!, afterId: ids.open! })).toMatchObject({
      ok: false,
      error: { code: 'invalid-payload' },
    });
  });

  it('prints the PDF from renderReportHtml with the footer, comparison and rules appendix, to the chosen path', async () => {
    const ids = await seed('only-tcp-443', 'open');
    s.nextSavePath = join(s.root, 'report.pdf');
    const saved = value(
      await h.invoke('report:pdf', { id: ids['only-tcp-443']!, compareWithId: ids.open!, firewallTarget: 'cisco-asa' }),
    );
    expect(saved).toEqual({ saved: true, fileName: 'report.pdf' });
    expect(readFileSync(s.nextSavePath, 'utf8')).toBe('%PDF-1.7 test');
    const { html, footerTemplate } = s.printed[0]!;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Changes since');
    expect(html).toContain('Appendix: firewall rules');
    expect(html).toContain('Cisco ASA');
    expect(html).toContain('access-list');
    expect(footerTemplate).toContain('pageNumber');
  });

  it('reports a print failure as pdf-failed and writes nothing', async () => {
    const ids = await seed('open');
    s.deps.printPdf = async () => {
      throw new Error('chromium crashed\nstack…');
    };
    h = reportsHarness(s);
    s.nextSavePath = join(s.root, 'never.pdf');
    const r = await h.invoke('report:pdf', { id: ids.open! });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'pdf-failed', message: 'The PDF could not be printed: chromium crashed' },
    });
    expect(existsSync(s.nextSavePath)).toBe(false);
  });

  it('saves every completed diagnosis to history (the hook where main passes `done`)', async () => {
    const report: Report = loadFixture('blocked');
    const profile = JSON.parse(readFileSync(join(s.profilesDir, 'lab.json'), 'utf8'));
    const withEngine = createIpcHarness({
      reports: s.deps,
      profilesDir: s.profilesDir,
      engine: { diagnose: async () => report },
    });
    const started = await withEngine.invoke('diagnosis:start', { profile, rooms: ['group', 'p2p'] });
    expect(started.ok).toBe(true);
    const saved = () => (existsSync(s.historyDir) ? readdirSync(s.historyDir).filter((f) => f.endsWith('.json')) : []);
    await expect.poll(saved).toHaveLength(1);
    const list = value(await withEngine.invoke('history:list'));
    expect(list[0]).toMatchObject({ profile: { id: 'lab' }, verdicts: { group: 'blocked' } });
  });

  it('without reports deps the channels answer history-unavailable', async () => {
    const plain = createIpcHarness();
    expect(await plain.invoke('history:list')).toMatchObject({ ok: false, error: { code: 'history-unavailable' } });
    expect(await plain.invoke('firewall:plan', { reportId: '20260101T000000000Z-00000000' })).toMatchObject({
      ok: false,
      error: { code: 'firewall-unavailable' },
    });
  });
});
