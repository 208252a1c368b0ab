// The corporate-proxy network in the lab's app e2e: scenario `proxy-only` (the client may only open
// TCP to squid at lab.proxyUrl, and squid CONNECTs to port 443 only). As in an office with an
// explicit proxy, both halves are told about it: main's handler child gets HTTPS_PROXY (the engine
// tunnels TURN-TCP/TLS through it, like the CLI scenario suite's case 5) and Chromium gets
// `--proxy-server` (it tunnels TURN-TCP/TLS with HTTP CONNECT; UDP is never proxied). The page and
// its HTTP bridge live on 127.0.0.1 in pc-client, which Chromium bypasses by default (no
// `--proxy-bypass-list` is given: if it did not, the page would not even load — squid cannot reach
// the client's loopback). Setup lives in webrtc-harness.ts, shared with webrtc-app.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrereqs, prereqs } from '../support/prereq';
import * as lab from './lab.mjs';
import {
  certutil,
  LABEL,
  PORT,
  readEvidence,
  ROOT,
  runAndWait,
  shownChecks,
  shownVerdicts,
  startAppInLab,
  type AppInLab,
} from './webrtc-harness';

const skip = missingPrereqs('lab WebRTC app e2e behind a proxy', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  prereqs.squid,
  prereqs.chromium,
  certutil,
]);
const SQUID_LOG = join(lab.paths.dir, 'squid', 'access.log');
const squidLines = () => (existsSync(SQUID_LOG) ? readFileSync(SQUID_LOG, 'utf8').split('\n').filter(Boolean) : []);

describe.skipIf(skip)(
  'the app in the lab behind a corporate proxy (proxy-only): TURN over TLS through squid, engine and Chromium alike',
  () => {
    let app: AppInLab | null = null;

    beforeAll(async () => {
      await lab.up();
      await lab.scenario('proxy-only');
      app = await startAppInLab({ proxy: lab.proxyUrl });
    }, 120_000);

    afterAll(async () => {
      await app?.stop();
      await lab.down();
    });

    it('proxy-only: group and p2p turn-tls; the in-app TLS relay passes through the proxy, UDP and TCP 3478 fail; the proxy is reported; the ticket is offered', async () => {
      const page = app!.page;
      const logBefore = squidLines().length;
      const live = await runAndWait(page);
      expect
        .soft(live.resolvedBefore, `rungs resolved before the verdicts (${JSON.stringify(live)})`)
        .toBeGreaterThan(0);

      const shown = await shownVerdicts(page);
      const checks = await shownChecks(page);
      const findings = await page
        .locator('.finding')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')}: ${e.textContent?.trim()}`));
      const squid = squidLines().slice(logBefore);
      const digest = `proxy-only: shown ${JSON.stringify(shown)}; checks ${JSON.stringify(checks)}; findings: ${JSON.stringify(findings)}\nsquid (this run): ${squid.join('\n  ')}`;
      console.log(digest);

      expect.soft(shown, digest).toEqual({ group: 'turn-tls', p2p: 'turn-tls' });
      for (const room of ['group', 'p2p'] as const) {
        expect
          .soft(await page.locator(`.verdict[data-room="${room}"] .verdict__path`).textContent(), digest)
          .toBe(LABEL['turn-tls']);
      }
      expect
        .soft(await page.locator('.ladder[data-room="group"] .rung--chosen').getAttribute('data-rung'), digest)
        .toBe('turn-tls');

      // In the browser: only the TLS relay works (CONNECT turn.lab.test:443 through squid); UDP cannot
      // leave at all, and squid refuses CONNECT to 3478.
      const expected = { udp: 'fail', tcp: 'fail', tls: 'pass' } as const;
      for (const t of ['udp', 'tcp', 'tls'] as const) {
        expect
          .soft(checks[`webrtc:relay:${t}:turn.lab.test:${PORT[t]}`], `${t}: in-app relay\n${digest}`)
          .toBe(expected[t]);
        const engine = checks[`turn:${t}:turn.lab.test:${PORT[t]}`];
        expect.soft(engine === 'pass' ? 'pass' : 'fail', `${t}: engine allocation\n${digest}`).toBe(expected[t]);
      }
      const relay = await readEvidence<{
        relayProtocol?: string;
        pair?: { localType?: string };
        stream?: { sent: number; lossPct: number };
      }>(page, `webrtc:relay:tls:turn.lab.test:${PORT.tls}`);
      expect.soft(relay.relayProtocol, `tls relayProtocol ${JSON.stringify(relay)}\n${digest}`).toBe('tls');
      expect.soft(relay.pair?.localType, `tls selected pair\n${digest}`).toBe('relay');
      expect.soft(relay.stream?.sent ?? 0, `tls packets sent\n${digest}`).toBeGreaterThanOrEqual(100);
      expect.soft(relay.stream?.lossPct ?? 100, `tls loss\n${digest}`).toBeLessThan(5);

      // The engine's own allocation over TLS went through the proxy, and says so.
      const engineTls = await readEvidence<{ proxy?: string }>(page, `turn:tls:turn.lab.test:${PORT.tls}`);
      expect
        .soft(engineTls.proxy, `turn:tls evidence.proxy ${JSON.stringify(engineTls)}\n${digest}`)
        .toBe(lab.proxyUrl);

      expect.soft(await page.locator('.finding[data-code="proxy"]').count(), digest).toBeGreaterThan(0);
      // Not asserted, seen as of this writing: the verdict cards do not name the proxy (the CLI's
      // notes do: "Reached through the proxy …"), because the passing in-app relay overrules the
      // engine's TLS rung and that branch carries no notes; the `proxy` finding is where it shows.
      // `webrtc:direct` passes here too (two peers on 10.77.1.2 meet without crossing the router),
      // yet the p2p direct rungs stay blocked, as they should.
      // Both halves went through the same proxy and agree transport by transport.
      expect.soft(await page.locator('.finding[data-code="engine-webrtc-disagree"]').count(), digest).toBe(0);
      expect.soft(await page.locator('.finding[data-code="webrtc-missing"]').count(), digest).toBe(0);
      // What squid saw. The firewall lets nothing but squid out, so the passing in-app TLS relay
      // already proves Chromium tunnelled it; the log shows it too. Both halves CONNECT
      // turn.lab.test:443 (TURN-TLS keeps the name, for the certificate), and Chromium's tunnels carry
      // the relay stream (tens of kB). TURN-TCP tells them apart: main pins the browser's
      // `turn:…?transport=tcp` URL to the address it resolved, so `CONNECT 10.77.2.10:3478` (403) is
      // Chromium's, while the engine asks for turn.lab.test:3478. Nothing for 127.0.0.1: loopback
      // (page, bridge, event stream) bypasses the proxy.
      const connects = squid
        .map((l) => /\s(TCP_\w+)\/(\d+)\s+(\d+)\s+CONNECT\s+(\S+)/.exec(l))
        .filter((m) => m !== null)
        .map((m) => ({ result: m[1]!, status: Number(m[2]), bytes: Number(m[3]), target: m[4]! }));
      expect
        .soft(connects.filter((c) => c.target === 'turn.lab.test:443' && c.status === 200).length, digest)
        .toBeGreaterThanOrEqual(2);
      expect
        .soft(
          connects.some((c) => c.target === 'turn.lab.test:443' && c.bytes > 10_000),
          `a tunnel carried the in-app relay stream\n${digest}`,
        )
        .toBe(true);
      expect
        .soft(
          connects.some((c) => c.target === `${lab.addr.turnA}:3478` && c.status === 403),
          `Chromium's TURN-TCP CONNECT refused\n${digest}`,
        )
        .toBe(true);
      expect
        .soft(
          squid.filter((l) => /\s(https?:\/\/)?(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(l)),
          `loopback bypasses the proxy\n${digest}`,
        )
        .toEqual([]);

      const fix = page.getByRole('button', { name: /^(Fix firewall…|Prepare ticket for the network team)$/ });
      expect.soft(await fix.textContent(), digest).toBe('Prepare ticket for the network team');

      await page.locator('#report-title').scrollIntoViewIfNeeded();
      await page.screenshot({ path: resolve(ROOT, 'docs/screenshot-results-proxy-only.png') });
    }, 120_000);

    it('logged no page errors', () => {
      expect(app?.problems ?? ['app did not start']).toEqual([]);
    });
  },
);
