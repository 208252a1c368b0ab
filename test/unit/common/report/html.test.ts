import { describe, expect, it } from 'vitest';
import { esc } from '#common/report/html/escape';
import { footerTemplate, renderReportHtml } from '#common/report/html/index';
import { pathDiagram } from '#common/report/html/verdicts';
import { parseReport } from '#common/report/parse';
import type { CheckResult, Report } from '#common/report/schema';
import { describeVerdict } from '#common/report/summary';
import { FIXTURES, loadFixture } from './fixtures';

/** A short hostile payload per field: markup, both quotes, an ampersand and a URL that must never be fetched. */
const evil = (tag: string) => `<i>"${tag}'&https://evil.test/x.png`;
const escaped = (tag: string) => esc(evil(tag));

/** Puts a distinct hostile string into every free-text field the renderer shows. */
function hostileReport(): { report: Report; tags: string[] } {
  const r = structuredClone(loadFixture('only-tcp-443')) as Report;
  const tags: string[] = [];
  const t = (name: string) => (tags.push(name), evil(name));
  r.id = t('reportid');
  r.tool.version = t('version');
  r.profile = { id: t('profileid'), name: t('profilename'), notice: t('notice') };
  r.host.os = t('os');
  r.host.hostname = t('hostname');
  r.host.vpn = true;
  r.host.vpnReason = t('vpnreason');
  r.host.proxy = { url: t('proxyurl'), source: t('proxysource') };
  r.host.interfaces[1]!.name = t('ifname');
  r.host.interfaces[1]!.addresses[0]!.cidr = t('cidr');
  r.nat.publicAddress = t('publicaddr');
  r.nat.notes = [t('natnote')];
  const c = r.checks[4]!;
  c.id = t('checkid');
  c.detail = t('detail');
  c.host = t('checkhost');
  r.checks[0]!.host = undefined;
  r.checks[0]!.id = t('checkid2');
  r.ranges[0]!.id = t('rangeid');
  r.ranges[0]!.host = t('rangehost');
  r.ranges[0]!.notes = [t('rangenote')];
  r.verdicts.group!.notes = [t('verdictnote')];
  r.verdicts.group!.evidence = [t('evidence')];
  r.verdicts.group!.via = t('via');
  r.verdicts.p2p!.summary = t('summary');
  r.firewall.blocked[0]!.to = [t('blockedto')];
  r.firewall.blocked[0]!.purpose = t('purpose');
  r.firewall.blocked[0]!.checks = [t('blockedcheck')];
  r.findings = [{ code: t('findingcode'), severity: 'error', message: t('findingmsg') }];
  const parsed = parseReport(r);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  // The schema turns an unknown reason into `unknown`; a caller that skips it must still be safe.
  parsed.report.checks[4]!.reason = t('reason') as CheckResult['reason'];
  return { report: parsed.report, tags };
}

function assertNoActiveContent(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(link|img|iframe|object|embed|base)\b/i);
  expect(html).not.toMatch(/\bon[a-z]+\s*=/i); // no event handlers
  expect(html).not.toMatch(/(src|href|xlink:href|action)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/@import/i);
  // Every url() points into the document itself (SVG pattern/marker ids).
  for (const m of html.matchAll(/url\(\s*([^)]*)\)/gi)) expect(m[1]).toMatch(/^#[a-z0-9-]+$/i);
}

describe('renderReportHtml', () => {
  it.each(FIXTURES)('%s: standalone, both verdict sentences, profile name, every check id and range', (name) => {
    const r = loadFixture(name);
    const html = renderReportHtml(r);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    assertNoActiveContent(html);
    expect(html).toContain(esc(describeVerdict('group', r.verdicts.group!)));
    expect(html).toContain(esc(describeVerdict('p2p', r.verdicts.p2p!)));
    expect(html).toContain(`<h1>${esc(r.profile.name)}</h1>`);
    for (const c of r.checks) expect(html).toContain(`<td class="id">${esc(c.id)}</td>`);
    for (const g of r.ranges) expect(html).toContain(esc(g.id));
    for (const f of r.findings) expect(html).toContain(esc(f.message));
    expect(html).toContain('What is blocked and where');
    expect(html).not.toContain('Changes since');
    expect(html).not.toContain('Appendix: firewall rules');
  });

  it('escapes hostile strings in every rendered field', () => {
    const { report, tags } = hostileReport();
    const appendix = [
      { target: evil('target'), label: evil('label'), text: `${evil('ruletext')}\n</pre><script>alert(1)</script>` },
    ];
    const before = structuredClone(report);
    before.profile.name = evil('beforename');
    before.id = evil('beforeid');
    before.checks[1]!.status = 'fail'; // makes dns:turn.lab.test flip
    const html = renderReportHtml(report, {
      firewallAppendix: appendix,
      compareWith: before,
      generatedAt: evil('generated'),
    });
    assertNoActiveContent(html);
    expect(html).not.toContain('<i>');
    expect(html).not.toContain('"profilename');
    for (const tag of [...tags, 'target', 'label', 'ruletext', 'beforename', 'beforeid', 'generated']) {
      expect(html, `field ${tag} missing or not escaped`).toContain(escaped(tag));
    }
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows the PDF footer with page numbers and an escaped profile name', () => {
    const { report } = hostileReport();
    const f = footerTemplate(report);
    expect(f).toContain('<span class="pageNumber"></span>');
    expect(f).toContain('<span class="totalPages"></span>');
    expect(f).toContain(escaped('profilename'));
    expect(f).not.toContain('<i>');
  });

  it('has print CSS for A4 and Letter: auto page size, repeated headers, no split blocks', () => {
    const html = renderReportHtml(loadFixture('open'));
    expect(html).toMatch(/@page\s*\{\s*size:\s*auto;\s*margin:\s*14mm;?\s*\}/);
    expect(html).toMatch(/thead\s*\{\s*display:\s*table-header-group;?\s*\}/);
    expect(html).toMatch(/\.verdict\s*\{[^}]*break-inside:\s*avoid/);
    expect(html).toMatch(/\btr\s*\{[^}]*break-inside:\s*avoid/);
  });

  it('adds a "Changes since" section listing flipped checks and verdict changes', () => {
    const before = loadFixture('blocked');
    const html = renderReportHtml(loadFixture('only-tcp-443'), { compareWith: before });
    const start = html.indexOf('<section class="changes">');
    expect(start).toBeGreaterThan(0);
    const section = html.slice(start, html.indexOf('</section>', start));
    expect(section).toContain('Changes since 2026-11-27 04:30 UTC');
    expect(section).toMatch(
      /tls:sig\.lab\.test:443<\/td><td><span class="pill warn">warn<\/span><\/td><td><span class="pill pass">pass<\/span>/,
    );
    expect(section).toMatch(
      /turn:tls:turn\.lab\.test:443<\/td><td><span class="pill fail">fail<\/span><\/td><td><span class="pill pass">pass<\/span>/,
    );
    expect(section).toContain('Checks that flipped (2)');
    expect(section).toMatch(/Group calls<\/td><td>Blocked .*<\/td><td>TURN over TLS .*better/);
  });

  it('warns when the run was cut short', () => {
    const r = { ...loadFixture('open'), complete: false };
    expect(renderReportHtml(r)).toContain('Incomplete run:');
    expect(renderReportHtml(loadFixture('open'))).not.toContain('Incomplete run:');
  });

  it('says so when nothing changed', () => {
    const r = loadFixture('open');
    const html = renderReportHtml(r, { compareWith: structuredClone(r) });
    expect(html).toContain('No verdict, check status or port range changed.');
  });

  it('renders the firewall rules appendix when given', () => {
    const html = renderReportHtml(loadFixture('only-tcp-443'), {
      firewallAppendix: [
        {
          target: 'nftables',
          label: 'Linux nftables',
          text: 'add rule inet filter output udp dport 3478 accept comment "pathcheck:x"',
        },
      ],
    });
    expect(html).toContain('Appendix: firewall rules');
    expect(html).toContain(
      '<pre class="rules">add rule inet filter output udp dport 3478 accept comment &quot;pathcheck:x&quot;</pre>',
    );
  });

  it('draws the range map with allowed and blocked sub-ranges', () => {
    const r = structuredClone(loadFixture('only-tcp-443'));
    r.ranges[0]!.allowed = [[10000, 20000]];
    r.ranges[0]!.blocked = [[20001, 60000]];
    const html = renderReportHtml(r);
    expect(html).toContain('<strong>Allowed</strong> (solid): 10000-20000 (20%)');
    expect(html).toContain('<strong>Blocked</strong> (hatched): 20001-60000 (80%)');
    expect(html).toMatch(/<text [^>]*>20000<\/text>/);
  });

  it('marks checks without an answer in the latency chart instead of drawing a bar', () => {
    const html = renderReportHtml(loadFixture('only-tcp-443'));
    expect(html).toContain('fail: timeout');
    expect(html).toContain('38.6 ms');
  });
});

describe('pathDiagram', () => {
  const v = (path: string) => ({ path, latency: 'high', confidence: 'measured', evidence: [], notes: [] }) as never;
  it('draws a relay box only for TURN paths, a broken line when blocked', () => {
    expect(pathDiagram('group', v('turn-tls'), 'turn.example.com:443')).toContain('TURN relay');
    expect(pathDiagram('group', v('turn-tls'), 'turn.example.com:443')).toContain('TURN/TLS :443');
    expect(pathDiagram('p2p', v('turn-udp'), null)).toContain('TURN/UDP');
    expect(pathDiagram('group', v('direct-udp'), null)).not.toContain('TURN relay');
    expect(pathDiagram('group', v('direct-udp'), null)).toContain('Media server');
    expect(pathDiagram('p2p', v('direct-tcp'), null)).toContain('Other participant');
    expect(pathDiagram('group', v('blocked'), null)).toContain('no working path');
  });
});

describe('why each block is where the report says, next to it', () => {
  it('puts the why-sentence under each blocked requirement, from that entry\u2019s own checks', async () => {
    const { readFileSync } = await import('node:fs');
    const file = new URL('../../../fixtures/reports/other-machine.json', import.meta.url);
    const parsed = parseReport(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const html = renderReportHtml(parsed.report);
    const section = html.slice(html.indexOf('<h2>What is blocked and where</h2>'), html.indexOf('<h2>Findings</h2>'));
    const rows = section.split('<tr><td>').slice(1);
    // The local UDP row, then its why; the perimeter TCP row, then its why.
    expect(rows[0]).toMatch(
      /STUN, TURN over UDP[^]*<tr class="why"><td colspan="6"><strong>Why here:<\/strong> UDP sends to [^<]* failed at once \(EPERM\)[^<]*: this computer\u2019s firewall \(drops in inet hbfw out\)\./,
    );
    expect(rows[0]).not.toContain('network\u2019s edge');
    expect(rows[1]).toMatch(
      /TURN over TLS[^]*<tr class="why">[^]*TCP connections to 192\.0\.2\.10:443 vanished with no answer, and this computer raised no error: the network\u2019s edge\. \(Checks: turn:tls:192\.0\.2\.10:443\.\)/,
    );
  });
});
