#!/usr/bin/env node
// The `pathcheck` command (package.json "bin"). The CLI itself is built by `npm run build`
// into out/cli/pathcheck.js; this file only loads it, with a clear message when it is missing.
import { existsSync } from 'node:fs';

const built = new URL('../out/cli/pathcheck.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('pathcheck: the CLI is not built yet; run `npm run build` first.\n');
  process.exit(70);
}
await import(built.href);
