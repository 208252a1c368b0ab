// Twilio comparison of `npm run bench` (section (f)), also runnable alone as root:
//   node scripts/bench-twilio.mjs   → prints the table and writes docs/bench-twilio.md
// On the lab link shaped to 400 kbit/s both ways (tbf in the router), in one run:
//   - Pathcheck: the engine's TURN-over-UDP quality measurement (the same code the CLI runs),
//     inside pc-client against the lab coturn;
//   - Twilio: `testMediaConnectionBitrate` from @twilio/rtc-diagnostics (the installed es5 build,
//     bundled for the page by rolldown from node_modules; nothing fetched), in Debian's Chromium
//     running INSIDE pc-client, against the same coturn with relay-only ICE (its receiver is
//     relay-only; the sender reaches the receiver's relayed address), run for 15 s as its
//     documentation's example does. Its reading after each second is kept, so the table can say how
//     far from the shaping rate it was at 2, 4, 8 and 15 s.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { rolldown } from 'rolldown';
import { chromium } from 'playwright-core';
import * as lab from '../test/lab/lab.mjs';
import { PATHS, SHAPED_KBIT, bundleProbe } from './bench-quality.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TWILIO_MS = 15_000;

async function bundleTwilio() {
  const b = await rolldown({
    input: join(root, 'node_modules/@twilio/rtc-diagnostics/es5/lib/MediaConnectionBitrateTest.js'),
    platform: 'browser',
    logLevel: 'silent',
  });
  const { output } = await b.generate({ format: 'iife', name: 'TwilioBitrate' });
  await b.close();
  return output[0].code;
}

/** Twilio's test in Chromium inside pc-client: its per-second readings and its final report. */
async function runTwilio(dir, code) {
  const wrapper = join(dir, 'chromium-in-pc-client.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.ns.client} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await chromium.launch({
    executablePath: wrapper,
    args: ['--no-proxy-server', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
  try {
    const page = await browser.newPage();
    // The page comes from Playwright itself: nothing is fetched from any network.
    await page.route('http://bench.invalid/**', (r) =>
      r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>twilio bench</title>' }),
    );
    await page.goto('http://bench.invalid/');
    await page.addScriptTag({ content: code });
    return await page.evaluate(
      ({ ms, iceServers }) =>
        new Promise((resolve) => {
          const t0 = performance.now();
          const readings = [];
          const errors = [];
          const test = window.TwilioBitrate.testMediaConnectionBitrate({ iceServers });
          test.on('bitrate', (kbps) => readings.push([Math.round(performance.now() - t0), kbps]));
          test.on('error', (e) => errors.push(String(e?.message ?? e)));
          test.on('end', (report) =>
            resolve({
              readings,
              errors,
              averageBitrate: report.averageBitrate,
              durationMs: report.testTiming?.duration ?? Math.round(performance.now() - t0),
              selected: report.selectedIceCandidatePairStats
                ? `${report.selectedIceCandidatePairStats.localCandidate?.candidateType} → ${report.selectedIceCandidatePairStats.remoteCandidate?.candidateType}`
                : null,
            }),
          );
          setTimeout(() => test.stop(), ms);
        }),
      {
        ms: TWILIO_MS,
        iceServers: [
          {
            // By address: Chromium's own resolver does not read pc-client's hosts file (701 host lookup).
            urls: `turn:${lab.addr.turnA}:${lab.ports.stun}?transport=udp`,
            username: lab.credentials.username,
            credential: lab.credentials.credential,
          },
        ],
      },
    );
  } finally {
    await browser.close();
  }
}

/** On a lab that is up; leaves the link unshaped. */
export async function benchTwilio() {
  const dir = mkdtempSync(join(tmpdir(), 'pathcheck-bench-twilio-'));
  try {
    const [probe, code] = await Promise.all([bundleProbe(dir), bundleTwilio()]);
    await lab.scenario('open');
    await lab.shape({ rateKbit: SHAPED_KBIT });
    const udp = PATHS.find((p) => p.path === 'turn-udp');
    const t0 = performance.now();
    const r = await lab.clientExec(udp.argv(probe), { timeoutMs: 30_000 });
    const pcWallMs = performance.now() - t0;
    const pc = JSON.parse(r.stdout);
    console.error(
      `[bench] twilio: pathcheck up ${pc.quality?.upKbps} down ${pc.quality?.downKbps} kbit/s in ${pc.quality?.durationMs} ms`,
    );
    const tw = await runTwilio(dir, code);
    console.error(
      `[bench] twilio: average ${tw.averageBitrate?.toFixed(1)} kbit/s over ${tw.durationMs} ms (${tw.readings.length} readings, ${tw.errors.length} errors)`,
    );
    return { shaping: SHAPED_KBIT, pathcheck: { ...pc.quality, wallMs: pcWallMs, reason: pc.reason }, twilio: tw };
  } finally {
    await lab.shape().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Twilio's average (its report's definition: the mean of its per-second readings) up to `ms`. */
function averageUpTo(readings, ms) {
  const xs = readings.filter(([t]) => t <= ms + 50).map(([, k]) => k);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Range of the readings of the second half of the run, as "a–b kbit/s (x to y % from the shaping rate)". */
function tail(readings, truth = SHAPED_KBIT) {
  const xs = readings.slice(Math.floor(readings.length / 2)).map(([, k]) => k);
  if (!xs.length) return 'n/a';
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const pct = (k) => `${(((k - truth) / truth) * 100).toFixed(0)} %`;
  return `${lo.toFixed(0)}–${hi.toFixed(0)} kbit/s (${pct(lo)} to ${pct(hi)})`;
}

export function twilioMarkdown(res) {
  const row = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  const truth = res.shaping;
  const off = (k) =>
    Number.isFinite(k) ? `${k >= truth ? '+' : ''}${(((k - truth) / truth) * 100).toFixed(0)} %` : 'n/a';
  const pc = res.pathcheck;
  const tw = res.twilio;
  const pcRate = Math.min(pc.upKbps, pc.downKbps);
  // First time Twilio's running average came within ±15 % of the shaping rate (and stayed there).
  let settledAt = null;
  for (const [t] of tw.readings) {
    const rest = tw.readings.filter(([u]) => u >= t).map(([u]) => averageUpTo(tw.readings, u));
    if (rest.every((a) => Math.abs(a - truth) <= 0.15 * truth)) {
      settledAt = t;
      break;
    }
  }
  const lines = [
    `## (f) Pathcheck vs Twilio's testMediaConnectionBitrate, link shaped to ${truth} kbit/s both ways, one run`,
    '',
    row(['tool', 'measured rate (kbit/s)', 'vs the shaping rate', 'time', 'notes']),
    row(['---', '---', '---', '---', '---']),
    row([
      'Pathcheck engine, TURN over UDP',
      `${pc.upKbps} up / ${pc.downKbps} down`,
      off(pcRate),
      `${(pc.durationMs / 1000).toFixed(2)} s (process ${(pc.wallMs / 1000).toFixed(2)} s)`,
      `stopped: ${pc.reason}`,
    ]),
  ];
  for (const at of [2000, 4000, 8000]) {
    const a = averageUpTo(tw.readings, at);
    lines.push(
      row([
        `Twilio, average after ${at / 1000} s`,
        Number.isFinite(a) ? a.toFixed(0) : 'n/a',
        off(a),
        `${at / 1000} s`,
        '',
      ]),
    );
  }
  lines.push(
    row([
      `Twilio, its report (stopped at ${TWILIO_MS / 1000} s)`,
      tw.averageBitrate.toFixed(0),
      off(tw.averageBitrate),
      `${(tw.durationMs / 1000).toFixed(2)} s`,
      `${tw.readings.length} readings; ICE ${tw.selected ?? 'n/a'}${tw.errors.length ? `; errors: ${tw.errors.join('; ')}` : ''}`,
    ]),
    '',
    `Twilio's running average was within ±15 % of the shaping rate for good from ${settledAt === null ? 'never (in this run)' : `${(settledAt / 1000).toFixed(1)} s`}. Twilio's per-second readings (kbit/s): ${tw.readings.map(([, k]) => k.toFixed(0)).join(', ')}.`,
    `Twilio counts the data-channel payload its receiver got, without the DTLS, SCTP and UDP/IP headers around each message, and its average includes its first seconds (ICE, then SCTP's own ramp-up); its later readings ranged ${tail(tw.readings)}. Pathcheck counts what the link carries (ChannelData + UDP/IP headers), as tbf does.`,
    '',
  );
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.getuid?.() !== 0) {
    console.error('bench-twilio: needs root (the lab)');
    process.exit(1);
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  await lab.up();
  let res;
  try {
    res = await benchTwilio();
  } finally {
    await lab.down();
  }
  const md = [
    '# Benchmark: Pathcheck vs Twilio (`node scripts/bench-twilio.mjs`)',
    '',
    `- date ${new Date().toISOString()}, commit ${commit}, Node ${process.version}, ${cpus().length} cores, kernel ${release()}, Chromium ${execFileSync('/usr/bin/chromium', ['--version']).toString().trim()}`,
    '',
    twilioMarkdown(res),
  ].join('\n');
  writeFileSync(join(root, 'docs', 'bench-twilio.md'), md);
  console.log(md);
}
