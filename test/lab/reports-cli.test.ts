// Issue 6 from the CLI, on real lab runs: two diagnoses of different networks go to --history, the
// second also to --html and --pdf; the PDF is read back with pdftotext, the history lists both
// newest first, and compareReports on the two real reports names exactly what changed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports } from '#common/report/compare';
import { parseReportJson } from '#common/report/parse';
import type { Report } from '#common/report/schema';
import { createHistory } from '#node/report/history';
import { missingPrereqs, prereqs } from '../support/prereq';
import * as lab from './lab.mjs';

const NO_PROXY_ENV = { HTTPS_PROXY: '', https_proxy: '', ALL_PROXY: '', all_proxy: '' };
const skip = missingPrereqs('lab reports from the CLI', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  prereqs.chromium,
  prereqs.pdftotext,
]);

describe.skipIf(skip)('CLI reports on lab runs: history, HTML, PDF, compare', () => {
  let dir = '';
  const reports: Record<string, Report> = {};

  async function run(scenario: 'open' | 'only-tcp-443', extra: string[]): Promise<Report> {
    await lab.scenario(scenario);
    const json = join(dir, `${scenario}.json`);
    const r = await lab.clientExec(
      [
        'node',
        'bin/pathcheck.js',
        'diagnose',
        '--profile',
        lab.paths.profile,
        '--quiet',
        '--json',
        json,
        '--history',
        join(dir, 'history'),
        ...extra,
      ],
      { timeoutMs: 90_000, env: NO_PROXY_ENV },
    );
    expect(r.timedOut, r.stderr).toBe(false);
    const parsed = parseReportJson(readFileSync(json, 'utf8'));
    if (!parsed.ok) throw new Error(`${scenario}: ${JSON.stringify(parsed.errors)}`);
    return parsed.report;
  }

  beforeAll(async () => {
    if (!existsSync('out/cli/pathcheck.js'))
      throw new Error('out/cli/pathcheck.js is missing: run `npm run build` first');
    dir = mkdtempSync(join(tmpdir(), 'pathcheck-reports-'));
    await lab.up();
    reports.open = await run('open', []);
    reports.tcp443 = await run('only-tcp-443', ['--html', join(dir, 'r.html'), '--pdf', join(dir, 'r.pdf')]);
  }, 240_000);

  afterAll(async () => {
    await lab.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the PDF carries the verdicts, the profile and the check table', () => {
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Pathcheck network lab');
    // The verdict's sentence, with the call quality measured on that path (rate, loss, jitter, MOS).
    expect(text.replace(/\s+/g, ' ')).toMatch(
      /Group calls will relay through TURN over TLS — [\d.]+ [kM]bit\/s, [\d.]+ % loss/,
    );
    for (const id of ['turn:udp:turn.lab.test:3478', 'turn:tls:turn.lab.test:443', 'tls:sig.lab.test:443'])
      expect(text).toContain(id);
    expect(text).toMatch(/Page 1 of \d+/);
    // The HTML is the same document, standalone: no scripts, nothing fetched.
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).not.toMatch(/<script|src="https?:|href="https?:/);
  });

  it('the history lists both runs, newest first, and loads them intact', async () => {
    const history = createHistory(join(dir, 'history'));
    const entries = await history.list();
    expect(entries.map((e) => e.profile.id)).toEqual(['lab', 'lab']);
    const newest = await history.load(entries[0]!.id);
    expect(newest.verdicts.group?.path).toBe('turn-tls');
    expect((await history.load(entries[1]!.id)).verdicts.group?.path).toBe('direct-udp');
  });

  it('compare names the verdict changes, the flipped checks and the closed ranges', () => {
    const c = compareReports(reports.open!, reports.tcp443!);
    expect(
      c.verdicts
        .filter((v) => v.changed)
        .map((v) => `${v.room}:${v.before}->${v.after}`)
        .sort(),
    ).toEqual(['group:direct-udp->turn-tls', 'p2p:direct-udp->turn-tls']);
    const flipped = Object.fromEntries(c.flipped.map((f) => [f.id, `${f.before}->${f.after}`]));
    expect(flipped).toMatchObject({
      'turn:udp:turn.lab.test:3478': 'pass->fail',
      'turn:tcp:turn.lab.test:3478': 'pass->fail',
      'stun:udp:turn.lab.test:3478': 'pass->fail',
    });
    expect(flipped['turn:tls:turn.lab.test:443']).toBeUndefined();
    // The lab is dual-stack: the IPv6 twins of the ranges closed too (only TCP 443 is open on both families).
    expect(c.rangesChanged.map((r) => r.id).sort()).toEqual(
      ['tcp-range:p2p', 'udp-range:group', 'udp-range:p2p'].flatMap((id) => [id, `${id}/v6`]).sort(),
    );
  });
});
