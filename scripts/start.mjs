#!/usr/bin/env node
// `npm start` (build, then launch the built app) and `npm run dev` (launch with hot reload).
//
// Why this script exists: Electron 45 no longer downloads its binary when `npm install` runs. Its
// package writes node_modules/electron/path.txt only after a lazy download, which `require('electron')`
// or `npx install-electron` (node_modules/electron/install.js) starts. electron-vite's `preview` and
// `dev` read path.txt directly and never start that download, so on a fresh clone they stop with
// "Electron uninstall". This script, in order:
//   1. checks the Node version Electron's installer asks for (node_modules/electron/package.json
//      `engines`, >= 22.12 for Electron 45), and says so in one line when it is older;
//   2. when the binary is missing, runs Electron's own installer (install.js, the same program
//      `require('electron')` runs) and checks the binary again;
//   3. launches: `npm run build` then `electron-vite preview`, or `electron-vite dev`.
// When the binary cannot be fetched it prints ONE line: what is missing, why, and that the CLI still
// works. The decisions are plain functions with the file system, the downloader and the Node
// version passed in (test/unit/scripts/start.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import * as realFs from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What still works without the Electron binary (the engine runs on plain Node 20.19+). */
export const CLI_HINT = 'the CLI still works: `npm run build`, then `npx pathcheck diagnose`';

/** Longest installer output kept to explain a failure (the installer prints a stack trace). */
const MAX_OUTPUT = 64 * 1024;
/** The binary is ~100 MB; a download that has not finished in this time is given up. */
export const FETCH_DEADLINE_MS = 15 * 60 * 1000;

/** `22.12.0` from `>= 22.12.0` / `>=22.12` / `^22.12.0`; null when the range has no version. */
export function minimumNode(range) {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(String(range ?? ''));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/** True when `version` (`v20.20.2` or `20.20.2`) is older than `min` ([major, minor, patch]). */
export function olderThan(version, min) {
  const parts = String(version)
    .replace(/^v/, '')
    .split('.')
    .map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < 3; i++) {
    const have = Number.isFinite(parts[i]) ? parts[i] : 0;
    if (have !== min[i]) return have < min[i];
  }
  return false;
}

/** Where Electron's executable is, as electron-vite will look for it, and whether it is there. */
export function electronBinary({ electronDir, env, fs }) {
  if (env.ELECTRON_EXEC_PATH) {
    return { path: env.ELECTRON_EXEC_PATH, present: fs.existsSync(env.ELECTRON_EXEC_PATH) };
  }
  const pathFile = join(electronDir, 'path.txt');
  const name = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : '';
  const base = env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  if (!name) return { path: base, present: false };
  const path = join(base, name);
  return { path, present: fs.existsSync(path) };
}

/** Electron's package: its version and the Node version its installer asks for. */
export function electronPackage({ electronDir, fs }) {
  const pkgFile = join(electronDir, 'package.json');
  if (!fs.existsSync(pkgFile)) return null;
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  return { version: String(pkg.version ?? '?'), nodeRange: String(pkg.engines?.node ?? '>= 22.12.0') };
}

/** The first line of the installer's output that says what went wrong (not a stack frame). */
export function failureReason(output) {
  const lines = String(output)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at ') && !/^Downloading Electron/i.test(l));
  const line =
    lines.find((l) => /error|fail|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|refused|certificate|checksum/i.test(l)) ??
    lines[0];
  if (!line) return 'the installer printed nothing';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * What `npm start` does before launching, decided from what is on disk and what the downloader
 * answers. Answers `{ ok: true, binary }` (launch with that executable) or `{ ok: false, code, line }`
 * (print that one line and exit with that code). Nothing is launched here.
 *
 * deps: { nodeVersion, electronDir, env, fs, fetchBinary(electronDir) => Promise<{ ok, output }>, log }
 */
export async function prepareStart(deps) {
  const { nodeVersion, electronDir, env, fs, fetchBinary, log = () => {} } = deps;
  const pkg = electronPackage({ electronDir, fs });
  if (!pkg) {
    return {
      ok: false,
      code: 1,
      line: `Pathcheck: the electron package is missing (${electronDir}): run \`npm install\` first; ${CLI_HINT}.`,
    };
  }
  const min = minimumNode(pkg.nodeRange) ?? [22, 12, 0];
  if (olderThan(nodeVersion, min)) {
    return {
      ok: false,
      code: 1,
      line:
        `Pathcheck: Node ${String(nodeVersion).replace(/^v/, '')} is too old for the desktop app: Electron ${pkg.version} and its installer ` +
        `need Node ${pkg.nodeRange.trim()}; install Node ${min[0]}.${min[1]} or newer to run the app (${CLI_HINT}, on Node 20.19 or newer).`,
    };
  }
  const before = electronBinary({ electronDir, env, fs });
  if (before.present) return { ok: true, binary: before.path, fetched: false };

  log(
    `Pathcheck: the Electron ${pkg.version} binary is not there yet; downloading it with Electron's installer (about 100 MB, from GitHub)…`,
  );
  const fetched = await fetchBinary(electronDir);
  const after = electronBinary({ electronDir, env, fs });
  if (fetched.ok && after.present) return { ok: true, binary: after.path, fetched: true };

  const rel = relative(ROOT, after.path);
  const where = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : after.path;
  const why = fetched.ok
    ? "Electron's installer finished but did not leave it there"
    : `Electron's installer could not download it (${failureReason(fetched.output)}; it downloads from GitHub, outside the npm registry)`;
  return {
    ok: false,
    code: 1,
    line: `Pathcheck: the Electron ${pkg.version} binary is missing (${where}) and ${why}; the desktop app cannot start here, but ${CLI_HINT}.`,
  };
}

/** Runs Electron's own installer (node_modules/electron/install.js) and keeps what it printed. */
export function fetchWithElectronInstaller(electronDir, { deadlineMs = FETCH_DEADLINE_MS } = {}) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(electronDir, 'install.js')], {
      cwd: electronDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      output = `download did not finish within ${Math.round(deadlineMs / 1000)} s\n${output}`;
      child.kill('SIGTERM');
    }, deadlineMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ ok: false, output: String(err.message) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ ok: code === 0, output });
    });
  });
}

function runStep(args, env) {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

async function main(mode) {
  if (mode !== 'preview' && mode !== 'dev') {
    console.error('usage: node scripts/start.mjs preview|dev');
    return 64;
  }
  const prepared = await prepareStart({
    nodeVersion: process.version,
    electronDir: resolve(ROOT, 'node_modules/electron'),
    env: process.env,
    fs: realFs,
    fetchBinary: (dir) => fetchWithElectronInstaller(dir),
    log: (line) => console.log(line),
  });
  if (!prepared.ok) {
    console.error(prepared.line);
    return prepared.code;
  }
  // electron-vite honours ELECTRON_EXEC_PATH before path.txt: hand it the binary found here.
  const env = { ...process.env, ELECTRON_EXEC_PATH: prepared.binary };
  const electronVite = resolve(ROOT, 'node_modules/electron-vite/bin/electron-vite.js');
  const config = ['--config', 'build/electron.vite.config.ts'];
  if (mode === 'preview') {
    const npmCli = process.env.npm_execpath;
    const built =
      npmCli && npmCli.endsWith('.js')
        ? runStep([npmCli, 'run', 'build'], env)
        : (spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
            cwd: ROOT,
            stdio: 'inherit',
            env,
            shell: process.platform === 'win32',
          }).status ?? 1);
    if (built !== 0) return built;
    return runStep([electronVite, 'preview', ...config], env);
  }
  return runStep([electronVite, 'dev', ...config], env);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv[2]).then((code) => process.exit(code));
}
