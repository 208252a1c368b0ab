// Issue 13's app e2e: the lab's dual-stack networks in the real app (Chromium and main's handlers
// with the real engine inside the client namespace, as webrtc-app.test.ts does). The lab gives every
// name an AAAA record, so each network check and range runs over IPv4 and as an IPv6 twin. On the
// open network both families work: verdicts over IPv4 (a tie), no warning. With IPv6 dropped at the
// perimeter: the same verdicts, the ipv6-blocked warning exactly once, and each failed IPv6 twin
// shown under its passing IPv4 row — never as a row of its own.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V6_BLOCKED_MESSAGE } from '#common/report/family';
import { missingPrereqs, prereqs } from '../support/prereq';
import * as lab from './lab.mjs';
import type { ScenarioName } from './lab.mjs';
import { certutil, ROOT, runAndWait, shownChecks, shownVerdicts, startAppInLab, type AppInLab } from './webrtc-harness';

const skip = missingPrereqs('lab WebRTC app e2e (dual stack)', [
  prereqs.root,
  prereqs.ip,
  prereqs.nft,
  prereqs.coturn,
  prereqs.chromium,
  certutil,
]);

const NETWORK_CHECKS = [
  'tls:sig.lab.test:443',
  'stun:udp:turn.lab.test:3478',
  'turn:udp:turn.lab.test:3478',
  'turn:tcp:turn.lab.test:3478',
  'turn:tls:turn.lab.test:443',
  'relay:udp:turn.lab.test:3478',
  'nat:turn.lab.test:3478',
];
/** Call quality has twins too, measured only where IPv4 cannot carry media: here they are never needed. */
const QUALITY_CHECKS = [
  'quality:direct-udp:turn.lab.test:3478',
  'quality:turn-udp:turn.lab.test:3478',
  'quality:turn-tcp:turn.lab.test:3478',
  'quality:turn-tls:turn.lab.test:443',
];

const CASES: Array<{ scenario: ScenarioName; v6: 'pass' | 'fail'; warnings: number; shot?: string }> = [
  { scenario: 'open', v6: 'pass', warnings: 0 },
  { scenario: 'v6-dropped', v6: 'fail', warnings: 1, shot: 'screenshot-results-lab-v6-dropped.png' },
];

describe.skipIf(skip)('the app in the dual-stack lab: IPv6 twins grouped, one warning, same verdicts', () => {
  let app: AppInLab | null = null;

  beforeAll(async () => {
    await lab.up();
    app = await startAppInLab();
  }, 120_000);

  afterAll(async () => {
    await app?.stop();
    await lab.down();
  });

  for (const c of CASES) {
    it(`${c.scenario}: direct UDP for both rooms over IPv4, IPv6 twins ${c.v6} under their IPv4 rows, ${c.warnings} warning(s)`, async () => {
      await lab.scenario(c.scenario);
      const page = app!.page;
      await runAndWait(page);
      const shown = await shownVerdicts(page);
      const top = await shownChecks(page);
      const twins = Object.fromEntries(
        await page
          .locator('li.check .check--v6')
          .evaluateAll((els) =>
            els.map((e) => [
              e.getAttribute('data-check'),
              [e.getAttribute('data-status'), e.closest('li.check')?.getAttribute('data-check')],
            ]),
          ),
      ) as Record<string, [string, string]>;
      const findings = await page.locator('.finding').allTextContents();
      const digest = `${c.scenario}: shown ${JSON.stringify(shown)}; rows ${JSON.stringify(top)}; twins ${JSON.stringify(twins)}; findings ${JSON.stringify(findings)}`;
      expect.soft(shown, digest).toEqual({ group: 'direct-udp', p2p: 'direct-udp' });
      expect
        .soft(
          await page.locator('.verdict').evaluateAll((els) => els.map((e) => e.getAttribute('data-family'))),
          digest,
        )
        .toEqual(['4', '4']);
      // No IPv6 twin is a top-level row; each sits under the row of its IPv4 id.
      expect
        .soft(
          Object.keys(top).filter((id) => id.endsWith('/v6')),
          digest,
        )
        .toEqual([]);
      // Every network check has its twin (names and the page's WebRTC tests are not pinned to a family).
      expect
        .soft(Object.keys(twins).sort(), digest)
        .toEqual([...NETWORK_CHECKS, ...QUALITY_CHECKS].map((id) => `${id}/v6`).sort());
      expect
        .soft(
          await page
            .locator('.ranges__v6 figure.strip')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-range')).sort()),
          digest,
        )
        .toEqual(['tcp-range:p2p/v6', 'udp-range:group/v6', 'udp-range:p2p/v6']);
      for (const [id, [status, parent]] of Object.entries(twins)) {
        expect.soft(parent, `${id}\n${digest}`).toBe(id.slice(0, -'/v6'.length));
        if (QUALITY_CHECKS.includes(parent)) {
          // IPv4 carries media here, so no quality twin is measured
          expect.soft(status, `${id}\n${digest}`).toBe('skipped');
          continue;
        }
        expect.soft(top[parent], `${parent} (IPv4)\n${digest}`).toBe('pass');
        expect.soft(status, `${id}\n${digest}`).toBe(c.v6);
      }
      // The warning: once on the whole page (findings), never repeated on the verdict cards.
      const text = (await page.locator('.report').textContent()) ?? '';
      expect.soft(text.split(V6_BLOCKED_MESSAGE).length - 1, digest).toBe(c.warnings);
      expect.soft(await page.locator('.finding[data-code="ipv6-blocked"]').count(), digest).toBe(c.warnings);
      const sentence = (await page.locator('.verdict[data-room="group"] .verdict__sentence').textContent()) ?? '';
      if (c.warnings) expect.soft(sentence, digest).toContain(', over IPv4 —');
      else expect.soft(sentence, digest).not.toMatch(/IPv[46]/);
      expect.soft(await page.locator('.checks__counts').textContent(), digest).toContain('(+ IPv6: ');
      await page.locator('#report-title').scrollIntoViewIfNeeded();
      if (c.shot) await page.screenshot({ path: resolve(ROOT, `docs/${c.shot}`) });
    }, 150_000);
  }

  // IPv4 lets only TCP 443 out, IPv6 is open: media goes direct over IPv6, and the live ladder (which
  // lights while results stream in) must agree: direct UDP chosen and lit for both rooms.
  it('v4-tcp-443-v6-open: direct UDP over IPv6 for both rooms, lit on the live ladder, IPv6 named in the sentence', async () => {
    await lab.scenario('v4-tcp-443-v6-open');
    const page = app!.page;
    await runAndWait(page);
    const shown = await shownVerdicts(page);
    const top = await shownChecks(page);
    const rungs = await page
      .locator('.ladder .rung--chosen')
      .evaluateAll((els) =>
        els.map((e) => [
          e.closest('.ladder')?.getAttribute('data-room'),
          e.getAttribute('data-rung'),
          e.getAttribute('data-state'),
        ]),
      );
    const digest = `shown ${JSON.stringify(shown)}; chosen rungs ${JSON.stringify(rungs)}; rows ${JSON.stringify(top)}; findings ${JSON.stringify(await page.locator('.finding').allTextContents())}`;
    expect.soft(shown, digest).toEqual({ group: 'direct-udp', p2p: 'direct-udp' });
    expect
      .soft(await page.locator('.verdict').evaluateAll((els) => els.map((e) => e.getAttribute('data-family'))), digest)
      .toEqual(['6', '6']);
    expect.soft(rungs, digest).toEqual([
      ['group', 'direct-udp', 'pass'],
      ['p2p', 'direct-udp', 'pass'],
    ]);
    expect
      .soft(await page.locator('.verdict[data-room="group"] .verdict__sentence').textContent(), digest)
      .toContain(', over IPv6');
    expect.soft(top['turn:udp:turn.lab.test:3478'], digest).toBe('fail');
    expect
      .soft(
        await page.locator('li.check[data-check="turn:udp:turn.lab.test:3478"] .check--v6').getAttribute('data-status'),
        digest,
      )
      .toBe('pass');
    expect
      .soft(
        Object.keys(top).filter((id) => id.endsWith('/v6')),
        digest,
      )
      .toEqual([]);
    expect.soft(await page.locator('.finding[data-code="ipv6-blocked"]').count(), digest).toBe(0);
  }, 150_000);

  it('logged no page errors', () => {
    expect(app?.problems ?? ['app did not start']).toEqual([]);
  });
});
