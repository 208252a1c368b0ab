// The engine's call-quality measurement on lab links shaped like the networks that make calls
// freeze: the real stream (electron/node/quality/turn-stream.ts, bundled as it is) runs inside
// pc-client against the lab's coturn through the router, where tbf shapes the link both ways and
// nftables drops a share of UDP at random. Asserts the measured rate against the shaping rate and
// the measured loss against the set loss.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { rolldown } from 'rolldown';
import * as lab from './lab.mjs';
import { missingPrereqs, prereqs } from '../support/prereq';
import { supports } from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, QualityResultSchema, type QualityResult } from '#common/quality/schema';

const skip = missingPrereqs('lab call quality', [prereqs.root, prereqs.ip, prereqs.nft, prereqs.coturn]);
const ROOT = resolve(import.meta.dirname, '../..');

interface Probe {
  quality?: QualityResult;
  reason: string;
  detail: string;
  evidence: Record<string, unknown>;
  wallMs: number;
}

describe.skipIf(skip)('call quality on shaped lab links (engine)', () => {
  let dir: string;
  let bundle: string;
  const seen: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pathcheck-lab-quality-'));
    const b = await rolldown({
      input: resolve(ROOT, 'test/lab/quality-probe.ts'),
      platform: 'node',
      external: [/^node:/],
      logLevel: 'silent',
    });
    const { output } = await b.generate({ format: 'esm' });
    await b.close();
    bundle = join(dir, 'quality-probe.mjs');
    writeFileSync(bundle, output[0].code);
    await lab.up({ scenario: 'open' });
  }, 180_000);

  afterAll(async () => {
    await lab.shape().catch(() => undefined);
    await lab.down();
    rmSync(dir, { recursive: true, force: true });
    console.log(`[lab quality]\n${seen.join('\n')}`);
  });

  const turn = async (transport: 'udp' | 'tls', targetKbps: number): Promise<Probe> => {
    const port = transport === 'tls' ? lab.ports.turnTls : lab.ports.stun;
    const r = await lab.clientExec(
      [
        'node',
        bundle,
        'turn',
        // IPv4, as the engine's quality checks use (ctx.addressOf prefers IPv4): turn.lab.test also has
        // an AAAA record, which getaddrinfo returns first in the lab.
        lab.addr.turnA,
        String(port),
        transport,
        String(targetKbps),
        lab.paths.caPem,
        lab.credentials.username,
        lab.credentials.credential,
      ],
      { timeoutMs: 20_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as Probe;
    const q = p.quality;
    seen.push(
      `${transport} target ${targetKbps}: ${p.reason} wall ${p.wallMs} ms — ${q ? `up ${q.upKbps} down ${q.downKbps} kbit/s, loss ${q.lossPct} %, jitter ${q.jitterMs} ms, rtt ${q.rttMs}/${q.rttLoadedMs} ms, ${q.grade}, supports ${supports(q, DEFAULT_QUALITY_RATES)}` : p.detail}`,
    );
    return p;
  };

  it('open link: TURN over UDP carries the HD rate both ways without loss', async () => {
    await lab.shape();
    const p = await turn('udp', 2500);
    const q = QualityResultSchema.parse(p.quality);
    expect(q.upKbps).toBeGreaterThan(2500 * 0.9);
    expect(q.downKbps).toBeGreaterThan(2500 * 0.9);
    expect(q.lossPct).toBeLessThan(1);
    expect(supports(q, DEFAULT_QUALITY_RATES)).toBe('hd-video');
  });

  it('link shaped to 400 kbit/s both ways: the measured rate is within ±15 % of it, audio only', async () => {
    await lab.shape({ rateKbit: 400 });
    const p = await turn('udp', 2500);
    const q = QualityResultSchema.parse(p.quality);
    expect(p.reason, JSON.stringify(p.evidence.windows)).toBe('plateau');
    for (const kbps of [q.upKbps, q.downKbps]) {
      expect(kbps, JSON.stringify(p.evidence.windows)).toBeGreaterThan(400 * 0.85);
      expect(kbps, JSON.stringify(p.evidence.windows)).toBeLessThan(400 * 1.15);
    }
    expect(q.limitedBy[0]).toBe('bandwidth');
    expect(supports(q, DEFAULT_QUALITY_RATES)).toBe('audio');
  });

  it('8 % random UDP loss: measured within a few points of 8 %, graded below good', async () => {
    await lab.shape({ udpLossPct: 8 });
    const p = await turn('udp', 2500);
    const q = QualityResultSchema.parse(p.quality);
    expect(q.lossPct).toBeGreaterThan(8 - 4);
    expect(q.lossPct).toBeLessThan(8 + 4);
    expect(q.grade).not.toBe('good');
    expect(q.limitedBy).toContain('loss');
  });

  it('TURN over TLS on a link shaped to 1 Mbit/s: near the shaping rate', async () => {
    await lab.shape({ rateKbit: 1000 });
    const p = await turn('tls', 2500);
    const q = QualityResultSchema.parse(p.quality);
    for (const kbps of [q.upKbps, q.downKbps]) {
      expect(kbps, JSON.stringify(p.evidence.windows)).toBeGreaterThan(1000 * 0.8);
      expect(kbps, JSON.stringify(p.evidence.windows)).toBeLessThan(1000 * 1.15);
    }
    expect(q.lossPct).toBe(0); // TCP does not lose; it queues
  });
});
