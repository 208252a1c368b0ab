#!/usr/bin/env node
// Renderer bundle size: raw and gzip (level 9) of every JavaScript file under out/renderer, and the
// total against the budget (350 KB gzip, issue 5). Prints only; `npm run build` first.
// Usage: node scripts/bundle-size.mjs [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dir = join(root, 'out/renderer');
const BUDGET_KB = 350;

function* walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.js')) yield p;
  }
}

let files;
try {
  files = [...walk(dir)];
} catch {
  console.error(`bundle-size: ${relative(root, dir)} not found; run \`npm run build\` first.`);
  process.exit(1);
}
const rows = files.map((f) => {
  const buf = readFileSync(f);
  return { file: relative(root, f), raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
});
const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
const kb = (n) => (n / 1024).toFixed(1);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files: rows, total, budgetKb: BUDGET_KB }, null, 2));
} else {
  for (const r of rows) console.log(`${r.file}  ${kb(r.raw)} KB raw  ${kb(r.gzip)} KB gzip`);
  console.log(
    `renderer JavaScript total: ${kb(total.raw)} KB raw, ${kb(total.gzip)} KB gzip (budget ${BUDGET_KB} KB gzip: ${total.gzip / 1024 <= BUDGET_KB ? 'within' : 'OVER'})`,
  );
}
