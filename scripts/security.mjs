#!/usr/bin/env node
// `npm run security`: electronegativity over the built app (out/), failing on any finding.
// electronegativity itself exits 0 whatever it finds, and cannot see the Electron version in out/,
// so this passes the installed version and reads its CSV. A finding that is justified is silenced
// with an `eng-disable` comment at the very line it points to, saying why (see electron/main/window.ts
// and renderer/index.html); there is no list of exceptions here.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'out');
const csv = resolve(out, 'electronegativity.csv');

for (const built of ['main/index.js', 'preload/index.cjs', 'renderer/index.html']) {
  if (!existsSync(resolve(out, built))) {
    console.error(`security: out/${built} is missing; run \`npm run build\` first (an empty out/ would scan clean).`);
    process.exit(2);
  }
}

const electron = JSON.parse(readFileSync(resolve(root, 'node_modules/electron/package.json'), 'utf8')).version;
const cli = resolve(root, 'node_modules/@doyensec/electronegativity/dist/index.js');
const scan = spawnSync(process.execPath, [cli, '-i', out, '-o', csv, '-r', '-e', electron], {
  cwd: root,
  encoding: 'utf8',
});
// It tries to fetch translations and Electron's release list; offline that is only noise.
const noise = /Could not retrieve updated translations|fetching Electron's releases/;
for (const line of `${scan.stdout}\n${scan.stderr}`.split('\n'))
  if (line.trim() && !noise.test(line)) console.log(line);
if (scan.status !== 0) {
  console.error(`security: electronegativity exited with ${scan.status}`);
  process.exit(scan.status ?? 1);
}

const findings = readFileSync(csv, 'utf8').trim().split('\n').slice(1).filter(Boolean);
if (findings.length > 0) {
  console.error(`security: ${findings.length} electronegativity finding(s) in out/ (Electron ${electron}):`);
  for (const f of findings) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`security: electronegativity found nothing in out/ (Electron ${electron}).`);
