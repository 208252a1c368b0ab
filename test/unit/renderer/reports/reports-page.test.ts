// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHistory } from '#node/report/history';
import { createBridge } from '#preload/bridge';
import ReportsPage from '#renderer/components/reports/ReportsPage.vue';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';
import { reportsHarness, reportsSetup, type ReportsSetup } from '../../main/ipc/reports-support';

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures/reports');
function loadFixture(name: string): Report {
  const r = parseReportJson(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  if (!r.ok) throw new Error(name);
  return r.report;
}
let s: ReportsSetup;
let w: VueWrapper | null = null;
const ids: Record<string, string> = {};

beforeEach(async () => {
  s = reportsSetup();
  const history = createHistory(s.historyDir);
  for (const n of ['open', 'blocked', 'only-tcp-443'] as const) ids[n] = (await history.save(loadFixture(n))).id;
  window.pathcheck = createBridge(reportsHarness(s).transport);
});

afterEach(() => {
  w?.unmount();
  w = null;
  delete window.pathcheck;
  s.cleanup();
  vi.restoreAllMocks();
});

async function mountPage(): Promise<VueWrapper> {
  w = mount(ReportsPage, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await vi.waitFor(() => expect(w!.findAll('.hist__row').length).toBeGreaterThan(0));
  return w;
}

const rowIds = (page: VueWrapper) => page.findAll('.hist__row').map((r) => r.attributes('data-id'));
const button = (root: VueWrapper | ReturnType<VueWrapper['find']>, name: RegExp) =>
  root.findAll('button').find((b) => name.test(b.text()))!;

describe('History page', () => {
  it('lists saved reports newest first with their verdicts', async () => {
    const page = await mountPage();
    expect(rowIds(page)).toEqual([ids.blocked, ids['only-tcp-443'], ids.open]);
    const first = page.find('.hist__row');
    expect(first.text()).toContain('Lab stack');
    expect(first.findAll('.pill').map((p) => p.text())).toEqual(['Group: Blocked', 'P2P: Blocked']);
    expect(first.find('.pill').classes()).toContain('pill--fail');
  });

  it('opens a report in the report view, with its exports', async () => {
    const page = await mountPage();
    await button(page.find(`[data-id="${ids['only-tcp-443']}"]`), /^Open$/).trigger('click');
    await vi.waitFor(() => expect(page.find('.report').exists()).toBe(true));
    expect(page.find('.report').attributes('data-profile')).toBe('lab');
    expect(page.findAll('.verdict').map((v) => v.attributes('data-path'))).toEqual(['turn-tls', 'turn-tls']);
    // only-tcp-443 is blocked at the perimeter: the fix is a ticket.
    for (const name of [/Prepare ticket for the network team/, /Save PDF/, /Export JSON/, /Copy summary/])
      expect(button(page, name), String(name)).toBeTruthy();
    await button(page, /All reports/).trigger('click');
    expect(page.find('.report').exists()).toBe(false);
  });

  it('deletes only after the in-place confirmation; Keep keeps it', async () => {
    const page = await mountPage();
    const row = () => page.find(`[data-id="${ids.open}"]`);
    await button(row(), /^Delete$/).trigger('click');
    expect(row().text()).toContain('Delete this report?');
    await button(row(), /^Keep$/).trigger('click');
    expect(rowIds(page)).toContain(ids.open);
    expect(existsSync(join(s.historyDir, `${ids.open}.json`))).toBe(true);

    await button(row(), /^Delete$/).trigger('click');
    await button(row(), /^Delete$/).trigger('click');
    await vi.waitFor(() => expect(rowIds(page)).toEqual([ids.blocked, ids['only-tcp-443']]));
    expect(existsSync(join(s.historyDir, `${ids.open}.json`))).toBe(false);
  });

  it('imports a file; a corrupt or newer one gets a clear error and the list stays the same', async () => {
    const page = await mountPage();
    const input = page.find('input[type="file"]');
    const choose = async (name: string, text: string) => {
      Object.defineProperty(input.element, 'files', {
        value: [new File([text], name, { type: 'application/json' })],
        configurable: true,
      });
      await input.trigger('change');
      await flushPromises();
    };
    await choose('broken.json', '{"schemaVersion": 1,');
    await vi.waitFor(() => expect(page.find('.callout--error').exists()).toBe(true));
    expect(page.find('.callout--error').text()).toMatch(/^broken\.json was not imported: not valid JSON: /);
    const newer = JSON.stringify({
      ...JSON.parse(readFileSync(join(FIXTURES, 'open.json'), 'utf8')),
      schemaVersion: 9,
    });
    await choose('future.json', newer);
    await vi.waitFor(() =>
      expect(page.find('.callout--error').text()).toMatch(
        /^future\.json was not imported: written by a newer Pathcheck \(schema 9; this version reads 1\) — update Pathcheck to open it$/,
      ),
    );
    expect(rowIds(page)).toHaveLength(3);

    await choose('good.json', readFileSync(join(FIXTURES, 'open.json'), 'utf8'));
    await vi.waitFor(() => expect(rowIds(page)).toHaveLength(4));
    expect(page.find('.callout--info').text()).toBe('Imported good.json (Lab stack).');
  });

  it('compares two picked reports: verdict changes, flipped checks, the older one as before', async () => {
    const page = await mountPage();
    const compare = () => button(page, /^Compare/);
    expect(compare().attributes('disabled')).toBeDefined();
    // Pick the newer first (only-tcp-443, 04:22): the page still treats the older (open, 04:15) as "before".
    await page.find(`[data-id="${ids['only-tcp-443']}"] input[type="checkbox"]`).setValue(true);
    await page.find(`[data-id="${ids.open}"] input[type="checkbox"]`).setValue(true);
    expect(compare().text()).toBe('Compare 2/2');
    await compare().trigger('click');
    await vi.waitFor(() => expect(page.find('.cmp').exists()).toBe(true));
    const group = page.find('.cmp [data-room="group"]');
    expect(group.findAll('td').map((td) => td.text())).toEqual(['Group calls', 'Direct UDP', 'TURN over TLS', 'worse']);
    const flips = page.findAll('.cmp__flip');
    expect(flips.length).toBeGreaterThan(0);
    expect(flips.map((f) => f.attributes('data-check'))).toContain('turn:udp:turn.lab.test:3478');
    expect(page.find('[data-check="turn:udp:turn.lab.test:3478"]').text()).toMatch(/pass → fail/);
  });

  it('copies the ticket summary with navigator.clipboard, and shows it when the clipboard refuses', async () => {
    const writeText = vi.fn(async (_t: string) => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const page = await mountPage();
    await button(page.find(`[data-id="${ids.blocked}"]`), /^Open$/).trigger('click');
    await vi.waitFor(() => expect(page.find('.report').exists()).toBe(true));
    await button(page, /Copy summary/).trigger('click');
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledOnce());
    expect(writeText.mock.calls[0]![0]).toMatch(/^Pathcheck .* — Lab stack \(lab\)\n/);
    expect(page.find('[role="status"]').text()).toBe('The summary is on the clipboard.');

    writeText.mockRejectedValueOnce(new DOMException('denied', 'NotAllowedError'));
    await button(page, /Copy summary/).trigger('click');
    await vi.waitFor(() => expect(page.find('.reports__summary').exists()).toBe(true));
    expect(page.find('.reports__summary').text()).toMatch(/^Pathcheck /);
  });

  it('saves a PDF through main (the save dialog path), and says so', async () => {
    s.nextSavePath = join(s.root, 'r.pdf');
    const page = await mountPage();
    await button(page.find(`[data-id="${ids.open}"]`), /^Open$/).trigger('click');
    await vi.waitFor(() => expect(page.find('.report').exists()).toBe(true));
    await button(page, /Save PDF/).trigger('click');
    await vi.waitFor(() => expect(page.find('[role="status"]').text()).toBe('Saved r.pdf.'));
    expect(s.printed).toHaveLength(1);
    expect(readFileSync(s.nextSavePath, 'utf8')).toBe('%PDF-1.7 test');
  });
});
