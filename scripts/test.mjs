#!/usr/bin/env node
// `npm test`: build everything (main, preload, renderer, CLI), then run every vitest project
// (unit: unit tests + Chromium/Electron e2e; lab: the network lab). Extra arguments go to vitest,
// e.g. `npm test -- test/unit/main`. Exits non-zero when the build or any test fails.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(label, command, args) {
  console.log(`\n> ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const built = run('npm run build', npm, ['run', 'build']);
if (built !== 0) {
  console.error(`\nnpm test: the build failed (exit ${built}); no tests were run.`);
  process.exit(built);
}

const vitest = resolve(root, 'node_modules/vitest/vitest.mjs');
const tested = run('vitest run', process.execPath, [
  vitest,
  'run',
  '--config',
  'build/vitest.config.ts',
  ...process.argv.slice(2),
]);
process.exit(tested);
