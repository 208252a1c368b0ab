import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '#common/report/schema';
import { writeFileAtomic } from '#node/report/atomic-write';
import { createHistory, HistoryError, isHistoryId } from '#node/report/history';
import { fixturePath, loadFixture } from '../../common/report/fixtures';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pathcheck-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Names and sizes of everything in the directory: "nothing changed" means this is equal. */
async function snapshot(d: string): Promise<string[]> {
  const names = await readdir(d).catch(() => [] as string[]);
  return Promise.all(names.sort().map(async (n) => `${n}:${(await stat(join(d, n))).size}`));
}

const at = (iso: string): Report => ({ ...structuredClone(loadFixture('open')), startedAt: iso });

describe('history', () => {
  it('saves one JSON file per report, named by a generated id, with no temp file left', async () => {
    const h = createHistory(join(dir, 'sub')); // created on first save
    const hostile = structuredClone(loadFixture('blocked'));
    hostile.id = '../../etc/passwd';
    hostile.profile.id = '../evil';
    const e = await h.save(hostile);
    expect(isHistoryId(e.id)).toBe(true);
    expect(e.file).toBe(join(dir, 'sub', `${e.id}.json`));
    expect(await readdir(join(dir, 'sub'))).toEqual([`${e.id}.json`]);
    expect(e).toMatchObject({
      startedAt: hostile.startedAt,
      profile: { id: '../evil', name: 'Lab stack' },
      verdicts: { group: 'blocked', p2p: 'blocked' },
    });
    expect(await h.load(e.id)).toEqual(hostile);
    expect(JSON.parse(await readFile(e.file, 'utf8')).tool.name).toBe('pathcheck');
  });

  it('lists newest first by run time', async () => {
    const h = createHistory(dir);
    const mid = await h.save(at('2026-11-20T10:00:00.000Z'));
    const old = await h.save(at('2026-11-01T10:00:00.000Z'));
    const tcp = loadFixture('only-tcp-443');
    const newest = await h.save({ ...tcp, startedAt: '2026-11-26T09:00:00.000Z' });
    const list = await h.list();
    expect(list.map((x) => x.id)).toEqual([newest.id, mid.id, old.id]);
    expect(list[0]!.verdicts).toEqual({ group: 'turn-tls', p2p: 'turn-tls' });
  });

  it('removes a report, and refuses unknown or path-like ids', async () => {
    const h = createHistory(dir);
    const a = await h.save(at('2026-11-20T10:00:00.000Z'));
    const b = await h.save(at('2026-11-21T10:00:00.000Z'));
    await h.remove(a.id);
    expect((await h.list()).map((x) => x.id)).toEqual([b.id]);
    expect(await readdir(dir)).toEqual([`${b.id}.json`]);
    await expect(h.remove(a.id)).rejects.toThrow(/no report/);
    await expect(h.remove('../outside')).rejects.toBeInstanceOf(HistoryError);
    await expect(h.load('..%2fx')).rejects.toThrow(/not a history id/);
  });

  it('refuses to save an invalid report and writes nothing', async () => {
    const h = createHistory(dir);
    const bad = { ...loadFixture('open'), checks: [{ id: '' }] } as unknown as Report;
    await expect(h.save(bad)).rejects.toThrow(/invalid report/);
    expect(await snapshot(dir)).toEqual([]);
  });

  it('imports a valid report from a file or from text', async () => {
    const h = createHistory(dir);
    const e1 = await h.import(fixturePath('only-tcp-443'));
    const e2 = await h.import(await readFile(fixturePath('open'), 'utf8'));
    expect(e1.verdicts.group).toBe('turn-tls');
    expect(e2.verdicts.group).toBe('direct-udp');
    expect((await h.list()).length).toBe(2);
  });

  it.each([
    ['corrupt JSON', '{"schemaVersion": 1, "tool": {"name": "pathcheck"', /not valid JSON/],
    [
      'foreign JSON',
      JSON.stringify({ schemaVersion: 1, tool: { name: 'othertool', version: '1' } }),
      /not a Pathcheck report/,
    ],
    ['newer schema', JSON.stringify({ ...loadFixture('open'), schemaVersion: 2 }), /newer Pathcheck \(schema 2/],
    ['invalid field', JSON.stringify({ ...loadFixture('open'), durationMs: -1 }), /durationMs/],
    ['not an object', '[1, 2]', /not a Pathcheck report/],
  ])('import of %s fails clearly and changes nothing on disk', async (_label, text, message) => {
    const h = createHistory(dir);
    await h.save(at('2026-11-20T10:00:00.000Z'));
    const before = await snapshot(dir);
    const file = join(dir, '..', `${dir.split('/').pop()}-import.json`);
    await writeFile(file, text);
    try {
      await expect(h.import(file)).rejects.toThrow(message);
      await expect(h.import(file)).rejects.toBeInstanceOf(HistoryError);
      if (text.trimStart().startsWith('{') || text.trimStart().startsWith('['))
        await expect(h.import(text)).rejects.toThrow(message);
    } finally {
      await rm(file, { force: true });
    }
    expect(await snapshot(dir)).toEqual(before);
  });

  it('import of a missing file says which file', async () => {
    const h = createHistory(dir);
    await expect(h.import(join(dir, 'nope.json'))).rejects.toThrow(/cannot import .*nope\.json/);
    expect(await snapshot(dir)).toEqual([]);
  });

  it('lists around stray temp files, corrupt and foreign files instead of failing, and reports them', async () => {
    const h = createHistory(dir);
    const good = await h.save(at('2026-11-20T10:00:00.000Z'));
    await writeFile(join(dir, '.pathcheck-20261127T000000000Z-00000000.json.123.abcdef.tmp'), '{"schemaVersion":1,"to');
    await writeFile(join(dir, '20261127T000000000Z-deadbeef.json'), '{"schemaVersion":1,"to');
    await writeFile(join(dir, '20261127T000000001Z-0badf00d.json'), JSON.stringify({ tool: { name: 'other' } }));
    await writeFile(join(dir, 'README.txt'), 'not ours');
    await mkdir(join(dir, '20261127T000000002Z-0000abcd.json'));
    expect((await h.list()).map((x) => x.id)).toEqual([good.id]);
    const { problems } = await h.scan();
    expect(problems.map((p) => p.kind).sort()).toEqual(['corrupt', 'foreign', 'temp']);
    expect(await h.cleanTemp()).toEqual([]); // too recent: may belong to a save in progress
    expect(await h.cleanTemp(0)).toHaveLength(1);
    expect((await h.scan()).problems.map((p) => p.kind).sort()).toEqual(['corrupt', 'foreign']);
    expect(await readdir(dir)).toContain('README.txt');
  });

  it('list of a missing directory is empty', async () => {
    expect(await createHistory(join(dir, 'missing')).list()).toEqual([]);
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temp file', async () => {
    const f = join(dir, 'x.json');
    await writeFileAtomic(f, 'old');
    await writeFileAtomic(f, 'new content');
    expect(await readFile(f, 'utf8')).toBe('new content');
    expect(await readdir(dir)).toEqual(['x.json']);
  });

  it('cleans its temp file when the rename fails', async () => {
    const target = join(dir, 'taken');
    await mkdir(join(target, 'child'), { recursive: true }); // a non-empty directory cannot be replaced by a file
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});
