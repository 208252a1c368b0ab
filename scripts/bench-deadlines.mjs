// Deadlines section of `npm run bench` (scripts/bench.mjs, section (e)): the whole diagnosis on the
// networks where fixed deadlines cost the most time — only TCP 443 open, every packet dropped — and
// on a slow link whose answers arrive late (400 kbit/s with a 500 ms queue), run by this tree's CLI
// and, when BENCH_BEFORE_CLI names one, by a CLI built from an earlier commit (fixed deadlines), in
// the same run, so the ratios compare like with like. The open network with call quality on is
// measured too (issue 10's goal: ≤ 6 s).
import * as lab from '../test/lab/lab.mjs';

const OFF = ['--quality', 'off'];
export const DEADLINE_CASES = [
  { name: 'open, quality on', scenario: 'open', extra: [], goal: '≤ 6 s', after: true },
  { name: 'only TCP 443 (quality off)', scenario: 'only-tcp-443', extra: OFF, goal: '≤ 2.5 s' },
  { name: 'every packet dropped (quality off)', scenario: 'blocked', extra: OFF, goal: '≤ 2.5 s' },
  { name: 'only TCP 443, quality on', scenario: 'only-tcp-443', extra: [], goal: '—' },
  {
    name: 'slow link: 400 kbit/s, 500 ms queue (quality off)',
    scenario: 'open',
    shape: { rateKbit: 400, queueMs: 500 },
    extra: OFF,
    goal: 'nothing blocked',
  },
];

const median = (xs) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

/** Checks that failed and ports found blocked: on the open (slow) network, every one of them is false. */
function blocks(report) {
  const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  const ports = report.ranges.reduce((n, r) => n + r.blocked.reduce((m, [a, b]) => m + b - a + 1, 0), 0);
  return { failed, ports };
}

/**
 * `run({ cli, extra })` runs one CLI diagnosis inside pc-client and resolves { exit, report, wallMs }
 * (bench.mjs's cliRun). `before`: path of the earlier CLI, or undefined.
 */
export async function benchDeadlines({ run, before, runs = 3 }) {
  const clis = [...(before ? [['before', before]] : []), ['after', 'bin/pathcheck.js']];
  const out = [];
  for (const c of DEADLINE_CASES) {
    await lab.scenario(c.scenario, { layer: 'perimeter' });
    await lab.shape(c.shape ?? {});
    const row = { ...c, by: {} };
    try {
      for (const [label, cli] of clis) {
        if (label === 'before' && c.after) continue;
        const rs = [];
        for (let i = 0; i < runs; i++) {
          const r = await run({ cli, extra: c.extra });
          rs.push({ wallMs: r.wallMs, durationMs: r.report.durationMs, exit: r.exit, report: r.report });
          const b = blocks(r.report);
          console.error(
            `[bench] deadlines ${c.name} ${label} run ${i + 1}: exit ${r.exit}, wall ${Math.round(r.wallMs)} ms, report ${r.report.durationMs} ms, failed ${b.failed.length}, blocked ports ${b.ports}`,
          );
        }
        row.by[label] = rs;
      }
    } finally {
      await lab.shape();
    }
    out.push(row);
  }
  return { rows: out, before: before ?? null };
}

const s = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');

function cell(rs) {
  if (!rs?.length) return '—';
  const last = rs.at(-1).report;
  const b = blocks(last);
  return `${s(median(rs.map((r) => r.wallMs)))} (engine ${s(median(rs.map((r) => r.durationMs)))}); exit ${rs
    .map((r) => r.exit)
    .join(
      '/',
    )}; ${last.verdicts.group?.path} / ${last.verdicts.p2p?.path}; ${b.failed.length} failed checks, ${b.ports} blocked ports`;
}

export function deadlinesMarkdown(res) {
  const row = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  const lines = [
    "## (e) Deadlines derived from measured round trips (issue 10), median of each cell's runs",
    '',
    res.before
      ? `"before" = the CLI built from the commit before the change (fixed deadlines: TLS/TURN 3 s, STUN 2.5 s, NAT 4 s, range probes 700 ms), \`${res.before}\`; "after" = this tree. Same lab, same run, alternating per network. A cell: CLI wall median (engine durationMs median); exits; verdicts group / p2p; failed checks and blocked ports of the last run.`
      : '"after" = this tree (no BENCH_BEFORE_CLI given, so no "before" column).',
    '',
    row(['network', 'goal', 'before', 'after', 'after / before (CLI wall)']),
    row(['---', '---', '---', '---', '---']),
  ];
  for (const r of res.rows) {
    const b = median((r.by.before ?? []).map((x) => x.wallMs));
    const a = median((r.by.after ?? []).map((x) => x.wallMs));
    lines.push(
      row([r.name, r.goal, cell(r.by.before), cell(r.by.after), Number.isFinite(b) ? `${(a / b).toFixed(2)}` : '—']),
    );
  }
  lines.push(
    '',
    'On the slow link every failed check and every blocked port is false (the lab network is open; only the rate and the',
    'queue are shaped): that row shows whether a deadline cut a late answer.',
    '',
  );
  return lines.join('\n');
}
