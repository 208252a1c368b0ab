import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '#common/report/schema';

/**
 * A private network namespace (pc-fx-<random>) with a STUN server (coturn) on a namespace-local
 * address, and the CLI run inside it: what the netns tests of `pathcheck fix` and of `rules` as
 * printed share. Only addresses inside the namespace are used; the host's ruleset is never touched.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const JITI = join(ROOT, 'node_modules/jiti/lib/jiti-cli.mjs');
export const CLI = join(ROOT, 'electron/node/cli/main.ts');
export const CLI_ARGV = [process.execPath, JITI, CLI];
export const NO_PROXY = {
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  ALL_PROXY: '',
  all_proxy: '',
};

export interface Ns {
  name: string;
  addr: string;
  turn: ChildProcess | null;
}

export function makeNs(addr: string): Ns {
  const name = `pc-fx-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  execFileSync('ip', ['-n', name, 'addr', 'add', `${addr}/32`, 'dev', 'lo']);
  return { name, addr, turn: null };
}

/** A fixed program inside the namespace (argv, never a shell string); throws on a non-zero exit. */
export const inNs = (ns: Ns, file: string, ...args: string[]): string =>
  execFileSync('ip', ['netns', 'exec', ns.name, file, ...args], { encoding: 'utf8' });

export async function startStun(ns: Ns, dir: string): Promise<void> {
  ns.turn = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns.name,
      'turnserver',
      '-n',
      '--no-cli',
      '--stun-only',
      '--no-tls',
      '--no-dtls',
      '-L',
      ns.addr,
      '-p',
      '3478',
      '--pidfile',
      join(dir, `${ns.name}.pid`),
      '--userdb',
      join(dir, `${ns.name}.db`),
      '--log-file',
      'stdout',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    if (inNs(ns, 'ss', '-lun').includes(`${ns.addr}:3478`)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('turnserver did not come up');
}

export function dropNs(ns: Ns): void {
  ns.turn?.kill('SIGTERM');
  try {
    execFileSync('ip', ['netns', 'del', ns.name]);
  } catch {
    /* already gone */
  }
}

/** The CLI inside the namespace; never throws, returns exit code and output. */
export function cli(ns: Ns, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns.name, ...CLI_ARGV, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...NO_PROXY },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** The status of one check in a report file. */
export const checkStatus = (file: string, id: string): string | undefined =>
  (JSON.parse(readFileSync(file, 'utf8')) as Report).checks.find((c) => c.id === id)?.status;
