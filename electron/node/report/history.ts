import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReport, parseReportJson } from '#common/report/parse';
import type { MediaPath, Report } from '#common/report/schema';
import { fsyncDir, isTempName, writeFileAtomic } from './atomic-write';

/**
 * Report history: one JSON file per completed report in a directory (the app's user-data folder or
 * the CLI's --history dir). Files are written atomically and named by a generated id, never by
 * report data, so a killed process or a hostile report can neither corrupt nor misplace an entry.
 */

export interface HistoryEntry {
  id: string;
  /** Absolute path of the report file. */
  file: string;
  startedAt: string;
  profile: { id: string; name: string };
  /** Verdict path per room type (absent when that room was not diagnosed). */
  verdicts: { group?: MediaPath; p2p?: MediaPath };
}

/** A file in the history directory that is not a readable report. */
export interface HistoryProblem {
  file: string;
  kind: 'temp' | 'corrupt' | 'foreign';
  message: string;
}

/** Thrown for user-facing history errors (bad import, unknown id); `message` is meant to be shown as it is. */
export class HistoryError extends Error {
  override name = 'HistoryError';
}

export interface History {
  readonly dir: string;
  save(report: Report): Promise<HistoryEntry>;
  /** Entries newest first (by startedAt, then id); unreadable files are skipped (see `scan`). */
  list(): Promise<HistoryEntry[]>;
  /** Entries plus the files that were skipped and why: left-over temp files, corrupt or foreign JSON. */
  scan(): Promise<{ entries: HistoryEntry[]; problems: HistoryProblem[] }>;
  load(id: string): Promise<Report>;
  remove(id: string): Promise<void>;
  /** Validates and saves a report from a file path or from JSON text; writes nothing when invalid. */
  import(source: string): Promise<HistoryEntry>;
  /** Deletes temp files left by killed writers that are older than `olderThanMs` (default 60 s). */
  cleanTemp(olderThanMs?: number): Promise<string[]>;
}

/** `20261127T041502123Z-a1b2c3d4`: sortable time of saving + randomness; the only names history writes. */
const ID_RE = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

export function isHistoryId(id: string): boolean {
  return ID_RE.test(id);
}

export function newHistoryId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

function toEntry(id: string, file: string, r: Report): HistoryEntry {
  const verdicts: HistoryEntry['verdicts'] = {};
  if (r.verdicts.group) verdicts.group = r.verdicts.group.path;
  if (r.verdicts.p2p) verdicts.p2p = r.verdicts.p2p.path;
  return { id, file, startedAt: r.startedAt, profile: { id: r.profile.id, name: r.profile.name }, verdicts };
}

function errorText(errors: { path: string; message: string }[]): string {
  const first = errors.slice(0, 3).map((e) => (e.path === '(root)' ? e.message : `${e.path}: ${e.message}`));
  return first.join('; ') + (errors.length > 3 ? ` (and ${errors.length - 3} more)` : '');
}

export function createHistory(dir: string): History {
  const fileOf = (id: string) => {
    if (!isHistoryId(id)) throw new HistoryError(`not a history id: ${JSON.stringify(id).slice(0, 80)}`);
    return join(dir, `${id}.json`);
  };

  async function save(report: Report): Promise<HistoryEntry> {
    const parsed = parseReport(report);
    if (!parsed.ok) throw new HistoryError(`refusing to save an invalid report: ${errorText(parsed.errors)}`);
    await mkdir(dir, { recursive: true });
    const id = newHistoryId();
    const file = fileOf(id);
    await writeFileAtomic(file, `${JSON.stringify(parsed.report, null, 2)}\n`);
    return toEntry(id, file, parsed.report);
  }

  async function scan(): Promise<{ entries: HistoryEntry[]; problems: HistoryProblem[] }> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], problems: [] };
      throw e;
    }
    const entries: HistoryEntry[] = [];
    const problems: HistoryProblem[] = [];
    for (const name of names) {
      const file = join(dir, name);
      if (isTempName(name)) {
        problems.push({ file, kind: 'temp', message: 'temporary file left by an interrupted save (ignored)' });
        continue;
      }
      const id = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (!isHistoryId(id)) continue; // not ours (README, .DS_Store, …): leave it alone, silently
      let text: string;
      try {
        if (!(await lstat(file)).isFile()) continue;
        text = await readFile(file, 'utf8');
      } catch (e) {
        problems.push({ file, kind: 'corrupt', message: `unreadable: ${(e as Error).message}` });
        continue;
      }
      const r = parseReportJson(text);
      if (r.ok) entries.push(toEntry(id, file, r.report));
      else
        problems.push({
          file,
          kind: r.errors[0]?.path === 'tool.name' ? 'foreign' : 'corrupt',
          message: errorText(r.errors),
        });
    }
    entries.sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? 1 : -1) : a.startedAt < b.startedAt ? 1 : -1));
    return { entries, problems };
  }

  async function load(id: string): Promise<Report> {
    const file = fileOf(id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new HistoryError(`no report ${id} in ${dir}`);
      throw e;
    }
    const r = parseReportJson(text);
    if (!r.ok) throw new HistoryError(`report ${id} cannot be read: ${errorText(r.errors)}`);
    return r.report;
  }

  async function remove(id: string): Promise<void> {
    const file = fileOf(id);
    try {
      await unlink(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new HistoryError(`no report ${id} in ${dir}`);
      throw e;
    }
    await fsyncDir(dir);
  }

  async function importReport(source: string): Promise<HistoryEntry> {
    const isText = source.trimStart().startsWith('{') || source.trimStart().startsWith('[');
    let text = source;
    const label = isText ? 'the pasted JSON' : source;
    if (!isText) {
      try {
        text = await readFile(source, 'utf8');
      } catch (e) {
        throw new HistoryError(`cannot import ${label}: ${(e as Error).message}`);
      }
    }
    const r = parseReportJson(text);
    if (!r.ok) throw new HistoryError(`cannot import ${label}: ${errorText(r.errors)}`);
    return save(r.report);
  }

  async function cleanTemp(olderThanMs = 60_000): Promise<string[]> {
    const { problems } = await scan();
    const removed: string[] = [];
    for (const p of problems.filter((x) => x.kind === 'temp')) {
      try {
        const st = await stat(p.file);
        if (Date.now() - st.mtimeMs < olderThanMs) continue; // may belong to a save in progress
        await unlink(p.file);
        removed.push(p.file);
      } catch {
        // Already gone (another cleaner or the writer itself): nothing to do.
      }
    }
    return removed;
  }

  return { dir, save, list: async () => (await scan()).entries, scan, load, remove, import: importReport, cleanTemp };
}
