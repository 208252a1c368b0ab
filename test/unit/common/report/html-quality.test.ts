import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '#common/quality/grade';
import { DEFAULT_QUALITY_RATES, qualityId, type QualityResult } from '#common/quality/schema';
import { renderReportHtml } from '#common/report/html/index';
import { ReportSchema, type Report } from '#common/report/schema';

/** The PDF/HTML report says the quality sentence and draws throughput over time per measured path. */
const base: Report = ReportSchema.parse(
  JSON.parse(readFileSync(resolve(__dirname, '../../../fixtures/reports/only-tcp-443.json'), 'utf8')),
);
const numbers = { upKbps: 700, downKbps: 750, rttMs: 40, rttLoadedMs: 45, jitterMs: 3, lossPct: 0.2 };
const j = judge(numbers, DEFAULT_QUALITY_RATES);
const entry: QualityResult = {
  id: qualityId('turn-tls', 'turn.lab.test', 443),
  path: 'turn-tls',
  sensor: 'engine',
  host: 'turn.lab.test',
  port: 443,
  durationMs: 2500,
  targetKbps: 2500,
  ...numbers,
  mos: j.mos,
  grade: j.grade,
  limitedBy: j.limitedBy,
  samples: [
    [250, 500],
    [500, 700],
    [750, 710],
  ],
};

describe('report HTML: call quality', () => {
  it('the verdict block carries the sentence, the numbers and one throughput curve', () => {
    const sentence =
      'Group calls will relay through TURN over TLS — 700 kbit/s, 0.2 % loss, 3 ms jitter: audio only (MOS 4.3). Adds 5 ms (measured; the provider states more than 50 ms).';
    const report: Report = {
      ...base,
      quality: [entry],
      verdicts: {
        ...base.verdicts,
        group: {
          ...base.verdicts.group!,
          summary: sentence,
          quality: {
            grade: j.grade,
            supports: 'audio',
            measuredKbps: 700,
            addedLatencyMs: 5,
            evidence: [entry.id],
            mos: j.mos,
            limitedBy: j.limitedBy,
          },
        },
      },
    };
    const html = renderReportHtml(report);
    expect(html).toContain(sentence);
    expect(html).toContain('data-supports="audio"');
    expect(html).toContain('Carries audio only');
    expect(html).toContain('adds 5 ms (measured; the provider states more than 50 ms)');
    expect(html.match(/<polyline /g)).toHaveLength(1);
  });
  it('no quality, no quality block', () => {
    expect(renderReportHtml(base)).not.toContain('class="quality"');
  });
});
