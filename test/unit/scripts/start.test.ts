import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  electronBinary,
  failureReason,
  fetchWithElectronInstaller,
  minimumNode,
  olderThan,
  prepareStart,
} from '../../../scripts/start.mjs';
import type { FetchResult } from '../../../scripts/start.mjs';

/** A fake node_modules/electron: its package.json, and (when `installed`) path.txt + dist/<binary>. */
function fakeElectron(dir: string, { installed }: { installed: boolean }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'electron', version: '45.5.0', engines: { node: '>= 22.12.0' } }),
  );
  if (installed) install(dir);
}

/** What Electron's install.js leaves behind after a download: dist/electron and path.txt naming it. */
function install(dir: string): void {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'electron'), '');
  writeFileSync(join(dir, 'path.txt'), 'electron');
}

let dir: string;
let calls: string[];
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'pathcheck-start-')), 'electron');
  calls = [];
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const base = () => ({ nodeVersion: 'v22.12.0', electronDir: dir, env: {}, fs });
const downloader = (result: FetchResult, effect?: () => void) => async (d: string) => {
  calls.push(d);
  effect?.();
  return result;
};

describe('npm start: what happens before the app launches', () => {
  it('launches the binary that is there, without downloading', async () => {
    fakeElectron(dir, { installed: true });
    const r = await prepareStart({ ...base(), fetchBinary: downloader({ ok: false, output: 'must not run' }) });
    expect(r).toEqual({ ok: true, binary: join(dir, 'dist', 'electron'), fetched: false });
    expect(calls).toEqual([]);
  });

  it("downloads a missing binary with Electron's installer, then launches it", async () => {
    fakeElectron(dir, { installed: false });
    const said: string[] = [];
    const r = await prepareStart({
      ...base(),
      fetchBinary: downloader({ ok: true, output: '' }, () => install(dir)),
      log: (l) => said.push(l),
    });
    expect(r).toEqual({ ok: true, binary: join(dir, 'dist', 'electron'), fetched: true });
    expect(calls).toEqual([dir]);
    expect(said).toEqual([expect.stringContaining("downloading it with Electron's installer")]);
  });

  it('downloads again when path.txt names a binary that is gone', async () => {
    fakeElectron(dir, { installed: true });
    rmSync(join(dir, 'dist', 'electron'));
    const r = await prepareStart({ ...base(), fetchBinary: downloader({ ok: true, output: '' }, () => install(dir)) });
    expect(r.ok).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('offline: one line saying what is missing, why, and that the CLI still works', async () => {
    fakeElectron(dir, { installed: false });
    const stack =
      'TypeError: fetch failed\n    at node:internal/deps/undici/undici:14976:13\n    at async FetchDownloader.download (file:///x.js:46:30)\n';
    const r = await prepareStart({ ...base(), fetchBinary: downloader({ ok: false, output: stack }) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(1);
    expect(r.line.split('\n')).toHaveLength(1);
    expect(r.line).toContain('Electron 45.5.0 binary is missing');
    expect(r.line).toContain('could not download it (TypeError: fetch failed;');
    expect(r.line).toContain('`npx pathcheck diagnose`');
    expect(r.line).not.toContain('undici');
  });

  it('says so when the installer claims success but left no binary', async () => {
    fakeElectron(dir, { installed: false });
    const r = await prepareStart({ ...base(), fetchBinary: downloader({ ok: true, output: '' }) });
    expect(r).toMatchObject({ ok: false, line: expect.stringContaining('finished but did not leave it there') });
  });

  it('Node too old: refuses before looking at the binary or downloading, naming both versions', async () => {
    fakeElectron(dir, { installed: false });
    const r = await prepareStart({
      ...base(),
      nodeVersion: 'v20.20.2',
      fetchBinary: downloader({ ok: true, output: '' }, () => install(dir)),
    });
    expect(calls).toEqual([]);
    expect(r).toMatchObject({ ok: false, code: 1 });
    if (r.ok) return;
    expect(r.line.split('\n')).toHaveLength(1);
    expect(r.line).toMatch(
      /^Pathcheck: Node 20\.20\.2 is too old for the desktop app: Electron 45\.5\.0 and its installer need Node >= 22\.12\.0;/,
    );
    expect(r.line).toContain('`npx pathcheck diagnose`');
  });

  it('no electron package at all: says to run npm install', async () => {
    const r = await prepareStart({ ...base(), fetchBinary: downloader({ ok: true, output: '' }) });
    expect(r).toMatchObject({ ok: false, line: expect.stringContaining('run `npm install` first') });
  });

  it('honours ELECTRON_EXEC_PATH and ELECTRON_OVERRIDE_DIST_PATH as electron-vite and Electron do', () => {
    fakeElectron(dir, { installed: true });
    expect(electronBinary({ electronDir: dir, env: { ELECTRON_EXEC_PATH: join(dir, 'nope') }, fs })).toEqual({
      path: join(dir, 'nope'),
      present: false,
    });
    const other = join(dir, '..', 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'electron'), '');
    expect(electronBinary({ electronDir: dir, env: { ELECTRON_OVERRIDE_DIST_PATH: other }, fs })).toEqual({
      path: join(other, 'electron'),
      present: true,
    });
  });
});

describe('version and output helpers', () => {
  it('compares Node versions numerically', () => {
    const min = minimumNode('>= 22.12.0')!;
    expect(min).toEqual([22, 12, 0]);
    expect(olderThan('v22.11.9', min)).toBe(true);
    expect(olderThan('v22.12.0', min)).toBe(false);
    expect(olderThan('v22.9.0', min)).toBe(true); // 9 < 12, not a string comparison
    expect(olderThan('v24.0.0', min)).toBe(false);
    expect(minimumNode('*')).toBeNull();
  });

  it('picks the error line, not a stack frame', () => {
    expect(
      failureReason('Downloading Electron binary...\nRequestError: getaddrinfo ENOTFOUND github.com\n    at x'),
    ).toBe('RequestError: getaddrinfo ENOTFOUND github.com');
    expect(failureReason('')).toBe('the installer printed nothing');
  });
});

describe("fetchWithElectronInstaller runs the package's install.js", () => {
  it('reports a failing installer with its output', async () => {
    fakeElectron(dir, { installed: false });
    writeFileSync(
      join(dir, 'install.js'),
      "console.error('TypeError: fetch failed\\n    at undici'); process.exit(1);",
    );
    const r = await fetchWithElectronInstaller(dir);
    expect(r.ok).toBe(false);
    expect(failureReason(r.output)).toBe('TypeError: fetch failed');
  });

  it('reports success when the installer leaves the binary', async () => {
    fakeElectron(dir, { installed: false });
    writeFileSync(
      join(dir, 'install.js'),
      "const fs = require('fs'); fs.mkdirSync(__dirname + '/dist'); fs.writeFileSync(__dirname + '/dist/electron', ''); fs.writeFileSync(__dirname + '/path.txt', 'electron');",
    );
    const r = await fetchWithElectronInstaller(dir);
    expect(r.ok).toBe(true);
    expect(electronBinary({ electronDir: dir, env: {}, fs }).present).toBe(true);
  });

  it('gives up at its deadline', async () => {
    fakeElectron(dir, { installed: false });
    writeFileSync(join(dir, 'install.js'), 'setInterval(() => {}, 1000);');
    const r = await fetchWithElectronInstaller(dir, { deadlineMs: 200 });
    expect(r.ok).toBe(false);
    expect(r.output).toContain('did not finish within');
  });
});
