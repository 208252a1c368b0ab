import { spawn } from 'node:child_process';
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTempName } from '#node/report/atomic-write';
import { createHistory } from '#node/report/history';
import { fixturePath } from '../../common/report/fixtures';

/**
 * kill -9 during a save: a child saves ~3 MB reports in a loop (through the real history module,
 * run by jiti because Node 20 cannot run TypeScript) and is SIGKILLed at random moments. Afterwards
 * every listed report must load in full, and the only debris allowed is ignored temp files.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const jiti = join(root, 'node_modules/jiti/lib/jiti-cli.mjs');
const child = fileURLToPath(new URL('./save-loop.child.ts', import.meta.url));
const KILLS = 24;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pathcheck-kill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts the child, waits until it is saving, then SIGKILLs it: either after a random delay, or as
 * soon as a new file appears in the directory (inotify via fs.watch), which lands the kill inside
 * the write itself — the moment a non-atomic save would leave a truncated report behind.
 */
function runAndKill(
  mode: 'random' | 'on-create',
  delayMs: number,
): Promise<{ saved: number; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [jiti, child, dir, fixturePath('open')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let watcher: FSWatcher | undefined;
    const kill = () => p.kill('SIGKILL');
    p.stdout.on('data', (b: Buffer) => {
      const first = !out.includes('ready\n');
      out += b.toString();
      if (!first || !out.includes('ready\n')) return;
      if (mode === 'random') {
        setTimeout(kill, delayMs);
        return;
      }
      const existing = new Set(readdirSync(dir));
      watcher = watch(dir, (_event, name) => {
        if (name && !existing.has(name)) {
          watcher?.close();
          kill();
        }
      });
    });
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('error', reject);
    p.on('exit', (_code, signal) => {
      watcher?.close();
      resolve({ saved: (out.match(/^saved /gm) ?? []).length, signal, stderr });
    });
  });
}

describe('history survives kill -9 during save', () => {
  it(`${KILLS} SIGKILLs at random moments leave only complete reports`, { timeout: 240_000 }, async () => {
    expect(existsSync(jiti), `TypeScript runner for the child missing: ${jiti}`).toBe(true);
    let saved = 0;
    for (let i = 0; i < KILLS; i++) {
      const r = await runAndKill(i % 2 === 0 ? 'on-create' : 'random', Math.floor(Math.random() * 400));
      expect(r.signal, `child ${i} exited by itself: ${r.stderr.slice(0, 500)}`).toBe('SIGKILL');
      saved += r.saved;
    }
    const history = createHistory(dir);
    const { entries, problems } = await history.scan();
    const temps = problems.filter((p) => p.kind === 'temp').length;
    console.log(
      `[kill -9] ${KILLS} kills, ${saved} saves confirmed by the child, ${entries.length} reports listed, ${temps} temp files left by interrupted saves`,
    );
    // Every confirmed save is listed (a save killed after its rename may be listed without confirmation).
    expect(entries.length).toBeGreaterThanOrEqual(saved);
    expect(entries.length).toBeGreaterThan(0);
    expect(problems.filter((p) => p.kind !== 'temp')).toEqual([]);
    for (const e of entries) {
      const report = await history.load(e.id);
      expect(report.checks).toHaveLength(6000);
    }
    await history.cleanTemp(0);
    const names = await readdir(dir);
    expect(names.filter(isTempName)).toEqual([]);
    expect(names.every((n) => /^\d{8}T\d{9}Z-[0-9a-f]{8}\.json$/.test(n))).toBe(true);
  });
});
