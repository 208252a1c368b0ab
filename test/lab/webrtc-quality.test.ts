// Issue 10's app e2e: the app as a helpdesk uses it (Chromium and main's handlers with the real
// engine, both inside pc-client; webrtc-harness.ts). Both sensors measure TURN over UDP: the engine's
// paced stream (`sensor: "engine"`) and the page's own call (`sensor: "webrtc"`). Main gives them the
// link one after the other (docs/app.md, "Two sensors"), so each measures the link, not the other:
// open → video or better in both; shaped to 400 kbit/s both ways → the card says audio only, the
// engine's rate is within ±15 % of the shaping, and the two agree within the analysis' own
// tolerance (no `quality-sensors-disagree` finding).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sensorDisagreement, supports } from '#common/quality/grade';
import { qualityRates, type QualityResult } from '#common/quality/schema';
import type { Report } from '#common/report/schema';
import { missingPrereqs, prereqs } from '../support/prereq';
import * as lab from './lab.mjs';
import { certutil, runAndWait, startAppInLab, type AppInLab } from './webrtc-harness';

const skip = missingPrereqs('lab WebRTC call-quality e2e', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  prereqs.chromium,
  certutil,
]);

const RATE_KBIT = 400;
const rates = qualityRates(undefined); // the lab profile sets no rates of its own

/** Runs the diagnosis in the app and returns the report of its `done` event, read from main's event stream. */
async function runReport(app: AppInLab): Promise<Report> {
  const page = app.page;
  await page.evaluate(() => {
    const w = window as unknown as { __report?: unknown; __es?: EventSource };
    w.__report = undefined;
    w.__es?.close();
    w.__es = new EventSource('/__ipc/events');
    w.__es.onmessage = (m) => {
      const { payload } = JSON.parse(m.data as string) as { payload?: { type?: string; report?: unknown } };
      if (payload?.type === 'done') w.__report = payload.report;
    };
  });
  await runAndWait(page);
  await page.waitForFunction(() => (window as unknown as { __report?: unknown }).__report !== undefined, null, {
    timeout: 30_000,
  });
  return (await page.evaluate(() => (window as unknown as { __report: unknown }).__report)) as Report;
}

/** What the group card says about quality, once it shows this report's verdict (it may still show the last run's). */
async function cardSupports(app: AppInLab, r: Report): Promise<string | null> {
  const card = app.page.locator('.verdict[data-room="group"] .verdict__quality');
  const want = r.verdicts.group?.quality?.supports ?? null;
  for (let i = 0; i < 50; i++) {
    const shown = await card.getAttribute('data-supports', { timeout: 5000 }).catch(() => null);
    if (shown === want) return shown;
    await new Promise((res) => setTimeout(res, 100));
  }
  return card.getAttribute('data-supports', { timeout: 5000 }).catch(() => null);
}

/** Both sensors' TURN-UDP entries, and one line with their numbers (printed, and the assertions' message). */
function sensors(r: Report, label: string): { engine?: QualityResult; webrtc?: QualityResult; seen: string } {
  const udp = (r.quality ?? []).filter((q) => q.path === 'turn-udp');
  const engine = udp.find((q) => q.sensor === 'engine');
  const webrtc = udp.find((q) => q.sensor === 'webrtc');
  const seen = JSON.stringify({
    durationMs: r.durationMs,
    verdict: r.verdicts.group?.path,
    supports: r.verdicts.group?.quality?.supports,
    sensors: udp.map((q) => [q.sensor, q.upKbps, q.downKbps, q.lossPct, q.grade, q.durationMs, q.settled ?? true]),
    findings: r.findings.map((f) => (f.severity === 'warn' ? `${f.code}: ${f.message}` : f.code)),
  });
  console.log(`[lab webrtc-quality] ${label}: ${seen}`, webrtc?.notes ?? []);
  return { ...(engine ? { engine } : {}), ...(webrtc ? { webrtc } : {}), seen };
}

describe.skipIf(skip)('the app in the lab: both sensors measure TURN over UDP, one after the other', () => {
  let app: AppInLab | null = null;

  beforeAll(async () => {
    await lab.up({ scenario: 'open' });
    await lab.shape();
    app = await startAppInLab();
  }, 120_000);

  afterAll(async () => {
    await lab.shape().catch(() => undefined);
    await app?.stop();
    await lab.down();
  });

  it('open: video or better, in both sensors and on the card', async () => {
    const r = await runReport(app!);
    const { engine, webrtc, seen } = sensors(r, 'open');
    expect(engine, seen).toBeDefined();
    expect(webrtc, seen).toBeDefined();
    for (const q of [engine!, webrtc!]) expect(['video', 'hd-video'], seen).toContain(supports(q, rates));
    expect(['video', 'hd-video'], seen).toContain(await cardSupports(app!, r));
    expect(app!.problems).toEqual([]);
  }, 120_000);

  it(`shaped to ${RATE_KBIT} kbit/s both ways: audio only, the engine within ±15 % of it, the two sensors agree`, async () => {
    await lab.shape({ rateKbit: RATE_KBIT });
    const r = await runReport(app!);
    const { engine, webrtc, seen } = sensors(r, `${RATE_KBIT} kbit/s`);
    expect(r.verdicts.group!.path, seen).toBe('turn-udp');
    expect(await cardSupports(app!, r), seen).toBe('audio');
    expect(engine, seen).toBeDefined();
    expect(webrtc, seen).toBeDefined();
    for (const kbps of [engine!.upKbps, engine!.downKbps]) {
      expect(kbps, seen).toBeGreaterThan(RATE_KBIT * 0.85);
      expect(kbps, seen).toBeLessThan(RATE_KBIT * 1.15);
    }
    // The analysis' own comparison (rate, loss, grade), and the report says nothing else.
    expect(sensorDisagreement(engine!, webrtc!)?.message, seen).toBeUndefined();
    expect(
      r.findings.map((f) => f.code),
      seen,
    ).not.toContain('quality-sensors-disagree');
    expect(app!.problems).toEqual([]);
  }, 120_000);
});
