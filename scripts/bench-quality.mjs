// Call-quality section of `npm run bench` (scripts/bench.mjs), also runnable alone as root:
//   node scripts/bench-quality.mjs   → prints the table and writes docs/bench-quality.md
// The engine's quality measurement (electron/node/quality/*, bundled as it is by rolldown from
// test/lab/quality-probe.ts) runs inside the lab's pc-client against the lab's coturn, per path
// (TURN over UDP, TCP, TLS; direct UDP by STUN echo), on the open lab link and on the link shaped to
// 400 kbit/s both ways (tbf in the router). Per path: the measurement's own duration, the process's
// wall time, the measured rate each way, and on the shaped link the ratio measured / shaping rate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import * as lab from '../test/lab/lab.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SHAPED_KBIT = 400;
export const PATHS = [
  {
    path: 'turn-udp',
    argv: (b) => [
      'node',
      b,
      'turn',
      'turn.lab.test',
      String(lab.ports.stun),
      'udp',
      '2500',
      lab.paths.caPem,
      lab.credentials.username,
      lab.credentials.credential,
    ],
  },
  {
    path: 'turn-tcp',
    argv: (b) => [
      'node',
      b,
      'turn',
      'turn.lab.test',
      String(lab.ports.stun),
      'tcp',
      '2500',
      lab.paths.caPem,
      lab.credentials.username,
      lab.credentials.credential,
    ],
  },
  {
    path: 'turn-tls',
    argv: (b) => [
      'node',
      b,
      'turn',
      'turn.lab.test',
      String(lab.ports.turnTls),
      'tls',
      '2500',
      lab.paths.caPem,
      lab.credentials.username,
      lab.credentials.credential,
    ],
  },
  { path: 'direct-udp (STUN echo)', argv: (b) => ['node', b, 'echo', 'stun.lab.test', String(lab.ports.stun)] },
];

export async function bundleProbe(dir) {
  const b = await rolldown({
    input: join(root, 'test/lab/quality-probe.ts'),
    platform: 'node',
    external: [/^node:/],
    logLevel: 'silent',
  });
  const { output } = await b.generate({ format: 'esm' });
  await b.close();
  const file = join(dir, 'quality-probe.mjs');
  writeFileSync(file, output[0].code);
  return file;
}

/** Runs the section on a lab that is up; leaves the link unshaped. Returns rows for qualityMarkdown. */
export async function benchQuality({ runs = 1 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pathcheck-bench-quality-'));
  const rows = [];
  try {
    const probe = await bundleProbe(dir);
    await lab.scenario('open');
    for (const [link, shaping] of [
      ['open', {}],
      [`shaped ${SHAPED_KBIT} kbit/s`, { rateKbit: SHAPED_KBIT }],
    ]) {
      await lab.shape(shaping);
      for (const p of PATHS) {
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          const r = await lab.clientExec(p.argv(probe), { timeoutMs: 30_000 });
          const wallMs = performance.now() - t0;
          let m = null;
          try {
            m = JSON.parse(r.stdout);
          } catch {
            m = { reason: 'crashed', detail: r.stderr.slice(-300) };
          }
          const q = m.quality;
          rows.push({
            link,
            shaping: shaping.rateKbit ?? null,
            path: p.path,
            wallMs,
            reason: m.reason,
            q,
            senderBehind: m.evidence?.senderBehind === true,
          });
          console.error(
            `[bench] quality ${link} ${p.path}: ${m.reason}${q ? ` up ${q.upKbps} down ${q.downKbps} kbit/s loss ${q.lossPct} % rtt ${q.rttMs}/${q.rttLoadedMs} ms in ${q.durationMs} ms` : ` ${m.detail}`} (wall ${Math.round(wallMs)} ms)`,
          );
        }
      }
    }
  } finally {
    await lab.shape().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function qualityMarkdown(rows) {
  const row = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  const out = ['## (d) Call quality per path (engine; goal ≤ 3 s a path)', ''];
  out.push(
    row([
      'link',
      'path',
      'stopped',
      'up / down kbit/s',
      'measured ÷ shaping rate',
      'loss %',
      'RTT idle / loaded ms',
      'grade',
      'measurement',
      'process wall',
    ]),
  );
  out.push(row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']));
  for (const r of rows) {
    const q = r.q;
    const echo = q?.method === 'stun-echo';
    const ratio =
      q && r.shaping && !echo ? `${(q.upKbps / r.shaping).toFixed(2)} / ${(q.downKbps / r.shaping).toFixed(2)}` : '—';
    out.push(
      row([
        r.link,
        r.path,
        r.reason + (r.senderBehind ? ' (machine too busy to pace)' : ''),
        q ? (echo ? `${q.upKbps} (echo, not a capacity)` : `${q.upKbps} / ${q.downKbps}`) : '—',
        ratio,
        q ? q.lossPct : '—',
        q ? `${q.rttMs ?? '?'} / ${q.rttLoadedMs ?? '—'}` : '—',
        q?.grade ?? '—',
        q ? `${(q.durationMs / 1000).toFixed(2)} s` : '—',
        `${(r.wallMs / 1000).toFixed(2)} s`,
      ]),
    );
  }
  const timed = rows.filter((r) => r.q);
  const worst = Math.max(...timed.map((r) => r.q.durationMs));
  out.push(
    '',
    `Longest measurement: ${(worst / 1000).toFixed(2)} s (goal ≤ 3 s a path: ${worst <= 3000 ? 'met' : 'not met'}). "process wall" adds Node's start-up inside the namespace.`,
  );
  out.push(
    'Rates count what the link carries (ChannelData + UDP/IP headers; tbf counts the Ethernet header too, ~1.4 % more).',
    '',
  );
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.getuid?.() !== 0) {
    console.error('bench-quality: needs root (the lab)');
    process.exit(1);
  }
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
    } catch {
      return 'unknown';
    }
  })();
  await lab.up();
  let rows;
  try {
    rows = await benchQuality({ runs: Number(process.env.BENCH_RUNS ?? 1) });
  } finally {
    await lab.down();
  }
  const md = [
    '# Call-quality benchmark (`node scripts/bench-quality.mjs`)',
    '',
    `- date ${new Date().toISOString()}, commit ${commit}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), kernel ${release()}`,
    '- one machine, one run: compare rows with each other, not with other machines.',
    '',
    qualityMarkdown(rows),
  ].join('\n');
  writeFileSync(join(root, 'docs', 'bench-quality.md'), md);
  console.log(md);
}
