// The merge benchmark of `npm run bench` (part d): how long `buildFirewallInput` takes on reports
// with many blocked entries. It bundles electron/common/firewall with Vite into a temp dir (the
// module is pure TypeScript with no runtime imports outside common) and times it in-process.
// No assertions: a table with the ratio to the smallest size (linear = the size ratio).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SIZES = [10_000, 40_000, 100_000];
const RUNS = 3;

/** A profile with no address ranges, so every destination in the report counts. */
const PROFILE = {
  schemaVersion: 1,
  id: 'bench',
  name: 'Bench',
  signaling: [{ host: 'sig.example.com', port: 443 }],
  stun: [],
  turn: [{ host: 'turn.example.com', port: 3478, transport: 'udp' }],
  credentials: { type: 'none' },
  group: { mediaServers: [], udpPorts: [[10000, 60000]] },
  addresses: { ipv4: [], ipv6: [] },
};

/**
 * n blocked entries as a big, repetitive report would hold them: 400 IPv4 and 50 IPv6 destinations,
 * 60 names, 40 ports, 1000 check ids, both protocols, three layers — so every merge step
 * (destinations, ports, checks, purposes) grows as entries arrive.
 */
function report(n) {
  const blocked = [];
  for (let i = 0; i < n; i++) {
    const d = i % 510;
    const to =
      d < 400
        ? `10.${d >> 8}.${d & 255}.1`
        : d < 450
          ? `2001:db8::${(d - 400).toString(16)}`
          : `h${d - 450}.example.com`;
    const port = 3000 + (i % 40) * 7;
    blocked.push({
      protocol: i % 3 === 0 ? 'tcp' : 'udp',
      ports: [[port, port + (i % 2)]],
      to: [to],
      purpose: `Check ${i % 17}`,
      checks: [`c:${i % 1000}`],
      layer: ['local', 'perimeter', 'unknown'][i % 3],
    });
  }
  return {
    schemaVersion: 1,
    tool: { name: 'pathcheck', version: 'bench' },
    profile: { id: 'bench', name: 'Bench' },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 0,
    host: { os: 'linux', vpn: false },
    checks: [],
    ranges: [],
    verdicts: {},
    complete: true,
    firewall: { layer: 'perimeter', blocked },
  };
}

async function loadFirewall(root, dir) {
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      outDir: dir,
      emptyOutDir: false,
      minify: false,
      write: true,
      lib: { entry: join(root, 'electron/common/firewall/index.ts'), formats: ['es'], fileName: () => 'firewall.mjs' },
    },
  });
  return import(pathToFileURL(join(dir, 'firewall.mjs')).href);
}

export async function benchMerge(root) {
  const dir = mkdtempSync(join(tmpdir(), 'pathcheck-bench-merge-'));
  try {
    const fw = await loadFirewall(root, dir);
    const rows = [];
    for (const n of SIZES) {
      const r = report(n);
      const times = [];
      let rules = 0;
      for (let k = 0; k < RUNS; k++) {
        const t0 = performance.now();
        const input = fw.buildFirewallInput(PROFILE, r);
        times.push(performance.now() - t0);
        rules = input.requirements.length;
      }
      times.sort((a, b) => a - b);
      rows.push({ n, ms: times[Math.floor(RUNS / 2)], rules });
    }
    // One entry per destination (the shape that took 244 s at 40k before): refused by the cap, and how fast.
    const wide = report(0);
    wide.firewall.blocked = Array.from({ length: 40_000 }, (_, i) => ({
      protocol: 'udp',
      ports: [[3478, 3478]],
      to: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    }));
    const t0 = performance.now();
    let refusal = 'accepted';
    try {
      fw.buildFirewallInput(PROFILE, wide);
    } catch (e) {
      refusal = e.message;
    }
    const refusedMs = performance.now() - t0;
    const base = rows[0];
    const md = [
      '# Rule-generation merge benchmark',
      '',
      `Node ${process.version}; median of ${RUNS} runs of \`buildFirewallInput\` (validation + both merge passes).`,
      '',
      '| blocked entries | merged rules | time (median) | time ratio to 10k | size ratio |',
      '| --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.n.toLocaleString('en')} | ${r.rules} | ${r.ms.toFixed(1)} ms | ${(r.ms / base.ms).toFixed(2)} | ${(r.n / base.n).toFixed(0)} |`,
      ),
      '',
      `40,000 entries each naming its own destination: ${refusedMs.toFixed(1)} ms to the error "${refusal}".`,
      '',
    ].join('\n');
    writeFileSync(join(root, 'docs', 'bench-merge.md'), md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
