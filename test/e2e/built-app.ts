import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = resolve(ROOT, 'out');

/**
 * `npm test` builds first (scripts/test.mjs); when an e2e file is run on its own with nothing
 * built yet, build the app (main, preload, renderer) here instead of failing on a missing file.
 */
export function ensureAppBuilt(): void {
  const needed = ['main/index.js', 'preload/index.cjs', 'renderer/index.html'].map((f) => resolve(OUT, f));
  if (needed.every((f) => existsSync(f))) return;
  console.warn('[e2e] out/ is incomplete; building the app first (electron-vite build)');
  execFileSync(
    process.execPath,
    [
      resolve(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'),
      'build',
      '--config',
      'build/electron.vite.config.ts',
    ],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}
