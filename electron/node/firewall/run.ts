import { execFile } from 'node:child_process';

/**
 * execFile wrapper for detection and apply: argv arrays only (no shell), a timeout, bounded output,
 * and a result instead of an exception so "tool missing" is an ordinary answer.
 */
export interface RunResult {
  /** Exit code 0. */
  ok: boolean;
  /** The executable does not exist (ENOENT). */
  missing: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (the elevated script reads its plan there). */
  input?: string;
}

export type Runner = (file: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

export const runFile: Runner = (file, args, opts = {}) =>
  new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        timeout: opts.timeoutMs ?? 5000,
        maxBuffer: 8 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
        ...(opts.env ? { env: opts.env } : {}),
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
        resolve({
          ok: !e,
          missing: e?.code === 'ENOENT',
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          stdout: String(stdout ?? ''),
          stderr: String(stderr ?? '') || (e && !stderr ? e.message : ''),
        });
      },
    );
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(opts.input);
    }
  });
