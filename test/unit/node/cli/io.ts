import type { CliIo } from '#node/cli/command';

/** Captures what the CLI writes, for in-process tests of `main()`. */
export function captureIo(
  env: Record<string, string | undefined> = {},
): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    stderrIsTTY: false,
    out: () => out,
    err: () => err,
  };
}
