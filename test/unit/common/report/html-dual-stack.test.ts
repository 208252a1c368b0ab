import { describe, expect, it } from 'vitest';
import { V6_BLOCKED_MESSAGE } from '#common/report/family';
import { renderReportHtml } from '#common/report/html/index';
import { esc } from '#common/report/html/escape';
import { describeVerdict } from '#common/report/summary';
import { loadFixture } from './fixtures';

/** The rows of the "All checks" table, in order: [id cell text, is an IPv6 twin row]. */
function checkRows(html: string): Array<[string, boolean]> {
  const table = html.slice(html.indexOf('<table class="checks">'));
  const body = table.slice(0, table.indexOf('</table>'));
  return [...body.matchAll(/<tr( class="v6")?><td class="id">(.*?)<\/td>/g)].map((m) => [
    m[2]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
    m[1] !== undefined,
  ]);
}

describe('HTML/PDF report on dual-stack reports', () => {
  it('lists each IPv6 twin right under its IPv4 check, tagged', () => {
    const html = renderReportHtml(loadFixture('v6-dropped'));
    const rows = checkRows(html);
    expect(rows).toHaveLength(20);
    const i = rows.findIndex(([id]) => id === 'turn:udp:turn.lab.test:3478');
    expect(rows[i + 1]).toEqual(['IPv6 turn:udp:turn.lab.test:3478/v6', true]);
    expect(rows.filter(([, v6]) => v6)).toHaveLength(9);
    expect(html).toContain('11 checks: 11 passed, 0 failed, 0 warnings, 0 skipped (+ IPv6: 9 checks:');
  });

  it('names the family in the verdict sentence and shows the ipv6-blocked warning once', () => {
    const r = loadFixture('v6-dropped');
    const html = renderReportHtml(r);
    expect(html).toContain(esc(describeVerdict('group', r.verdicts.group!, r)));
    expect(describeVerdict('group', r.verdicts.group!, r)).toContain(', over IPv4 —');
    const body = html.slice(html.indexOf('<body>'));
    expect(body.split(esc(V6_BLOCKED_MESSAGE)).length - 1).toBe(1);
    const v6 = loadFixture('v6-only');
    expect(renderReportHtml(v6)).toContain(esc(describeVerdict('p2p', v6.verdicts.p2p!, v6)));
    expect(describeVerdict('p2p', v6.verdicts.p2p!, v6)).toContain(', over IPv6 —');
  });

  it('draws each IPv6 range under its IPv4 range, and its latency bars labelled IPv6', () => {
    const html = renderReportHtml(loadFixture('dual-stack-open'));
    const a = html.indexOf('<span class="mono">udp-range:group</span>');
    const b = html.indexOf('<span class="mono">udp-range:group/v6</span>');
    const c = html.indexOf('<span class="mono">udp-range:p2p</span>');
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(html).toContain('UDP towards reflect.lab.test over IPv6</h3>');
    expect(html).toContain('<title>IPv6 TURN turn.lab.test:3478</title>');
  });

  it('says in the Machine section what IPv6 this machine has', () => {
    const html = renderReportHtml(loadFixture('dual-stack-open'));
    const machine = html.slice(
      html.indexOf('<section class="machine">'),
      html.indexOf('</section>', html.indexOf('<section class="machine">')),
    );
    expect(machine).toContain('<dt>IPv6</dt>');
    expect(machine).toContain('fd77:1::5c2e:d04b:17f6:3a91 (ULA, temporary) on veth-client');
    expect(machine).toContain('Default route: via fd77:1::1 on veth-client.');
    expect(renderReportHtml(loadFixture('open'))).not.toContain('<dt>IPv6</dt>');
  });

  it('leaves an IPv4-only report as it was: no IPv6 rows, tags or counts', () => {
    const html = renderReportHtml(loadFixture('only-tcp-443'));
    expect(checkRows(html).some(([, v6]) => v6)).toBe(false);
    expect(html).toContain('11 checks: 7 passed, 3 failed, 0 warnings, 1 skipped.');
  });
});
