import type { Out } from './live';

/** What a CLI command talks to: the streams, the environment and Ctrl-C. Tests pass their own. */
export interface CliIo {
  stdout: Out;
  stderr: Out;
  env: Record<string, string | undefined>;
  stderrIsTTY: boolean;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/** Exit codes besides the verdict's 0–3 (sysexits.h: usage, data error, software, I/O; 130 = Ctrl-C). */
export const EXIT = { usage: 64, dataErr: 65, software: 70, ioErr: 74, cancelled: 130 } as const;
