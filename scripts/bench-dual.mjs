// Dual-stack section of `npm run bench` (scripts/bench.mjs; alone: `npm run bench -- --only dual`).
// Issue 13's performance goals, measured on the lab with the lab profile (its names have A and AAAA):
//   - the whole diagnosis on the dual-stack open network within 1.3× of the same run on an IPv4-only
//     client (the client's IPv6 default route removed, so the engine plans no IPv6 twins);
//   - a black-holed IPv6 (`v6-dropped`: every IPv6 packet dropped) costs no more than one deadline
//     over the open network (the twins time out beside the IPv4 checks, not after them).
// Median CLI wall time of BENCH_RUNS rounds (each variant once a round, after a warm-up round). Writes its section into
// docs/bench.md between the markers below (the rest of the file is left as it is).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as lab from '../test/lab/lab.mjs';

const BEGIN = '<!-- dual-stack: written by scripts/bench-dual.mjs -->';
const END = '<!-- /dual-stack -->';
/** The longest deadline an IPv6 twin has (engine/plan.ts DEFAULT_TIMEOUTS: range discovery, 6 s). */
export const ONE_DEADLINE_MS = 6000;
const QOFF = ['--quality', 'off'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** `cliRun(tmp)` is bench.mjs's one CLI run in pc-client (report, exit, wallMs). */
export async function benchDual(cliRun, tmp, runs) {
  const variants = [
    { key: 'v4only', label: 'open, IPv4-only client (no IPv6 default route)', scenario: 'open', v6Route: false },
    { key: 'dual', label: 'open, dual stack', scenario: 'open', v6Route: true },
    // Without call quality (3 s a path, one path at a time): the probes alone, where the twins add their work.
    { key: 'v4onlyNq', label: 'open, IPv4-only client, --quality off', scenario: 'open', v6Route: false, extra: QOFF },
    { key: 'dualNq', label: 'open, dual stack, --quality off', scenario: 'open', v6Route: true, extra: QOFF },
    { key: 'dropped', label: 'v6-dropped (IPv6 black-holed), dual stack', scenario: 'v6-dropped', v6Route: true },
  ];
  const res = Object.fromEntries(variants.map((v) => [v.key, { ...v, runs: [] }]));
  let current = null;
  const prepare = async (v) => {
    if (current !== v.scenario) await lab.scenario(v.scenario);
    current = v.scenario;
    await setV6Route(v.v6Route);
    await warm();
  };
  try {
    // Rounds, each variant once per round, so the machine's load (2 shared cores) falls on all alike.
    for (let round = 0; round <= runs; round++) {
      for (const v of variants) {
        await prepare(v);
        const r = await cliRun(tmp, v.extra ? { extra: v.extra } : {});
        if (round === 0) continue; // warm-up round: coturn, page cache
        const twins = r.report.checks.filter((c) => c.family === 6).length;
        res[v.key].runs.push({
          wallMs: r.wallMs,
          durationMs: r.report.durationMs,
          exit: r.exit,
          twins,
          verdicts: r.report.verdicts,
        });
        console.error(
          `[bench] dual ${v.key} run ${round}: exit ${r.exit}, wall ${Math.round(r.wallMs)} ms, report ${r.report.durationMs} ms, IPv6 checks ${twins}`,
        );
      }
    }
  } finally {
    await setV6Route(true);
  }
  return res;
}

/**
 * One ping to every server address, both families: after a scenario switch or a route change the
 * router resolves its neighbours again, and a cold neighbour cache drops all but the first packets of
 * a burst (the engine sends hundreds at once) — a lab artefact, not what the client's network costs.
 */
async function warm() {
  const targets = [lab.addr.turnA, lab.addr.turnB, lab.addr.web, lab.addr.turnA6, lab.addr.turnB6, lab.addr.web6];
  await Promise.all(targets.map((a) => lab.clientExec(['ping', '-c', '1', '-W', '1', a])));
}

async function setV6Route(on) {
  await lab.clientExec(
    on
      ? ['ip', '-6', 'route', 'replace', 'default', 'via', lab.addr.routerInside6]
      : ['ip', '-6', 'route', 'del', 'default'],
    { allowFail: true },
  );
}

export function dualMarkdown(res, { commit, date }) {
  const wall = (k) => median(res[k].runs.map((r) => r.wallMs));
  const dur = (k) => median(res[k].runs.map((r) => r.durationMs));
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const ratio = wall('dual') / wall('v4only');
  const ratioNq = wall('dualNq') / wall('v4onlyNq');
  const extra = wall('dropped') - wall('dual');
  const paths = (r) =>
    `${r.verdicts.group?.path}/${r.verdicts.group?.family ?? '-'}, ${r.verdicts.p2p?.path}/${r.verdicts.p2p?.family ?? '-'}`;
  const lines = [
    BEGIN,
    '## Dual stack (issue 13)',
    '',
    `Measured ${date}, commit ${commit}, median of ${res.dual.runs.length} rounds (each variant once a round, after a warm-up round; every server pinged once before each run), lab profile (every name has A and AAAA).`,
    'The IPv4-only client is the same namespace with its IPv6 default route removed: the engine then plans no IPv6 twins.',
    '',
    '| network | CLI wall (median) | report durationMs (median) | runs (wall, s) | IPv6 checks | exit | verdicts group, p2p (path/family) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...['v4only', 'dual', 'dropped', 'v4onlyNq', 'dualNq'].map((k) => {
      const rs = res[k].runs;
      return `| ${res[k].label} | ${s(wall(k))} | ${s(dur(k))} | ${rs.map((r) => (r.wallMs / 1000).toFixed(2)).join(', ')} | ${rs[0].twins} | ${[...new Set(rs.map((r) => r.exit))].join(', ')} | ${paths(rs[0])} |`;
    }),
    '',
    '| goal | measured | met? |',
    '| --- | --- | --- |',
    `| dual-stack open within 1.3× of IPv4-only | ${ratio.toFixed(2)}× (${s(wall('dual'))} / ${s(wall('v4only'))}) | ${ratio <= 1.3 ? 'yes' : 'no'} |`,
    `| the same without call quality (probes only) | ${ratioNq.toFixed(2)}× (${s(wall('dualNq'))} / ${s(wall('v4onlyNq'))}) | ${ratioNq <= 1.3 ? 'yes' : 'no'} |`,
    `| black-holed IPv6 costs no more than one deadline (${s(ONE_DEADLINE_MS)}, the longest a twin has) | +${s(extra)} over dual-stack open | ${extra <= ONE_DEADLINE_MS ? 'yes' : 'no'} |`,
    END,
  ];
  return lines.join('\n');
}

/** Replaces (or appends) the dual-stack section of docs/bench.md. */
export function writeDualSection(root, md) {
  const file = join(root, 'docs/bench.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark (`npm run bench`)\n';
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  const next =
    a >= 0 && b > a ? `${text.slice(0, a)}${md}${text.slice(b + END.length)}` : `${text.trimEnd()}\n\n${md}\n`;
  writeFileSync(file, next);
}
