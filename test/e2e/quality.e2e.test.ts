import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './bridge-page';
import { ROOT } from './built-app';
import { QualityResultSchema } from '#common/quality/schema';
import { startCoturn, type Coturn } from '../unit/node/stun/coturn-harness';
import { missingPrereqs, prereqs } from '../support/prereq';

/**
 * The page's call-quality measurement (renderer/src/webrtc/quality.ts) in Debian's Chromium, against
 * a real coturn on loopback: a real call with a canvas video track and an oscillator, relay-only over
 * TURN-UDP. Loopback carries far more than the target, so the browser must deliver close to it with
 * no loss. The module is bundled as it is (rolldown) and run in a blank page.
 */
const skip = missingPrereqs('chromium call-quality e2e', [prereqs.chromium, prereqs.coturn]);

interface Measured {
  quality?: unknown;
  reason: string;
  detail: string;
  evidence: Record<string, unknown>;
}

describe.skipIf(skip)('in-page call quality (Chromium + coturn)', () => {
  let turn: Coturn;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    turn = await startCoturn({ allowLoopbackPeers: true });
    const bundle = await rolldown({
      input: resolve(ROOT, 'renderer/src/webrtc/quality.ts'),
      platform: 'browser',
      logLevel: 'silent',
    });
    const { output } = await bundle.generate({ format: 'iife', name: 'PathcheckQuality' });
    await bundle.close();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    });
    page = await browser.newPage();
    await page.goto('about:blank');
    await page.addScriptTag({ content: output[0].code });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await turn?.stop();
  });

  const run = (opts: Record<string, unknown>): Promise<Measured> =>
    page.evaluate(
      (o) =>
        (
          window as unknown as { PathcheckQuality: { measureCallQuality(o: unknown): Promise<Measured> } }
        ).PathcheckQuality.measureCallQuality(o),
      opts,
    );

  it('measures a relay-only call through TURN over UDP: near the target both ways, no loss', async () => {
    const target = 1500;
    const m = await run({
      path: 'turn-udp',
      host: '127.0.0.1',
      port: turn.port,
      targetKbps: target,
      directionMs: 2500,
      iceServers: [{ urls: `turn:127.0.0.1:${turn.port}?transport=udp`, username: 'u', credential: 'p' }],
    });
    expect(m.reason, `${m.detail} ${JSON.stringify(m.evidence)}`).toBe('ok');
    const q = QualityResultSchema.parse(m.quality);
    expect(q).toMatchObject({
      id: `quality:turn-udp:127.0.0.1:${turn.port}:webrtc`,
      sensor: 'webrtc',
      method: 'webrtc-call',
      path: 'turn-udp',
    });
    expect(m.evidence.pair).toMatchObject({ local: 'relay', remote: 'relay', relayProtocol: 'udp' });
    for (const kbps of [q.upKbps, q.downKbps]) {
      expect(kbps, JSON.stringify(q.samples)).toBeGreaterThan(target * 0.6);
      expect(kbps).toBeLessThan(target * 1.2); // the maxBitrate cap holds
    }
    expect(q.lossPct).toBeLessThan(1);
    expect(q.rttMs).not.toBeNull();
    expect(q.samples.length).toBeGreaterThan(10);
    expect((m.evidence.up as { fps: number | null }).fps).toBeGreaterThan(0);
  });

  it('measures TURN over TCP relay-only, and a direct call (host candidates) without a relay', async () => {
    const tcp = await run({
      path: 'turn-tcp',
      host: '127.0.0.1',
      port: turn.port,
      targetKbps: 1000,
      directionMs: 1500,
      iceServers: [{ urls: `turn:127.0.0.1:${turn.port}?transport=tcp`, username: 'u', credential: 'p' }],
    });
    expect(tcp.reason, tcp.detail).toBe('ok');
    expect(tcp.evidence.pair).toMatchObject({ local: 'relay', relayProtocol: 'tcp' });
    const direct = await run({
      path: 'direct-udp',
      host: '127.0.0.1',
      port: turn.port,
      targetKbps: 1000,
      directionMs: 1500,
      iceServers: [{ urls: `stun:127.0.0.1:${turn.port}` }],
    });
    expect(direct.reason, direct.detail).toBe('ok');
    expect((direct.evidence.pair as { local: string }).local).not.toBe('relay');
    for (const m of [tcp, direct]) {
      const q = QualityResultSchema.parse(m.quality);
      expect(Math.min(q.upKbps, q.downKbps), JSON.stringify(q.samples)).toBeGreaterThan(1000 * 0.6);
      expect(q.lossPct).toBeLessThan(1);
    }
  });

  it('fails plainly, without an entry, on wrong credentials', async () => {
    const m = await run({
      path: 'turn-udp',
      host: '127.0.0.1',
      port: turn.port,
      directionMs: 500,
      connectDeadlineMs: 2000,
      iceServers: [{ urls: `turn:127.0.0.1:${turn.port}?transport=udp`, username: 'u', credential: 'wrong' }],
    });
    expect(m.quality).toBeUndefined();
    expect(['timeout', 'ice-failed']).toContain(m.reason);
  });
});
