import { main } from './command';

/** Process entry of the `pathcheck` CLI (bin/pathcheck.js loads the built copy of this file). */
const controller = new AbortController();
// `pathcheck profiles | head`: the reader went away; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
let interrupted = 0;
process.on('SIGINT', () => {
  interrupted++;
  if (interrupted > 1) process.exit(130);
  process.stderr.write('\npathcheck: cancelling… (Ctrl-C again to quit at once)\n');
  controller.abort();
});

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stderrIsTTY: Boolean(process.stderr.isTTY),
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`pathcheck: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
