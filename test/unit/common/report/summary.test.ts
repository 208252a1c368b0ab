import { describe, expect, it } from 'vitest';
import type { Report, Verdict } from '#common/report/schema';
import { describeVerdict, latencyText, summarizeReport } from '#common/report/summary';
import { FIXTURES, loadFixture } from './fixtures';

const verdict = (path: Verdict['path'], extra: Partial<Verdict> = {}): Verdict =>
  ({ path, latency: 'high', confidence: 'measured', evidence: [], notes: [], ...extra }) as Verdict;

describe('describeVerdict', () => {
  it('words each rung of the ladder', () => {
    expect(describeVerdict('group', verdict('turn-tls', { via: 'turn.example.com:443' }))).toBe(
      'Group calls will relay through TURN over TLS on port 443 — expect more than 50 ms extra delay.',
    );
    expect(describeVerdict('p2p', verdict('turn-udp', { via: 'turn.example.com:3479' }))).toContain(
      'TURN over UDP on port 3479 — expect less than 50 ms',
    );
    expect(describeVerdict('group', verdict('direct-udp'))).toMatch(
      /^Group calls will send media directly over UDP to the media server/,
    );
    expect(describeVerdict('p2p', verdict('direct-tcp'))).toMatch(/^Peer-to-peer calls .* directly over TCP/);
    expect(describeVerdict('group', verdict('turn-tcp'))).toContain('TURN over TCP on port 3478');
    expect(describeVerdict('p2p', verdict('blocked'))).toContain('will not work from this network');
    expect(describeVerdict('group', verdict('turn-udp', { confidence: 'inferred' }))).toContain('inferred');
  });

  it("prefers the analysis' own summary sentence", () => {
    expect(describeVerdict('group', verdict('turn-tls', { summary: '  Custom sentence.  ' }))).toBe('Custom sentence.');
  });

  it('explains every latency class', () => {
    expect(latencyText('marginal')).toContain('less than 50 ms');
    expect(latencyText('high')).toContain('more than 50 ms');
    expect(latencyText('optimal')).toContain('optimal');
    expect(latencyText('none')).toContain('no media path');
  });
});

describe('summarizeReport', () => {
  it.each(FIXTURES)('%s: profile, time, both verdicts, blocks with layer, at most 15 lines', (name) => {
    const r = loadFixture(name);
    const s = summarizeReport(r);
    expect(s.split('\n').length).toBeLessThanOrEqual(15);
    expect(s).toContain(r.profile.name);
    expect(s).toContain(r.startedAt);
    expect(s).toContain(describeVerdict('group', r.verdicts.group!));
    expect(s).toContain(describeVerdict('p2p', r.verdicts.p2p!));
    if (r.firewall.blocked.length)
      expect(s).toMatch(/blocked at (this machine's own firewall|the network edge|the proxy)/);
    else expect(s).toContain('nothing required was found blocked');
  });

  it('names the layer and the most severe finding first', () => {
    const s = summarizeReport(loadFixture('blocked'));
    expect(s).toContain("this machine's own firewall");
    expect(s).toContain('the proxy');
    const lines = s.split('\n');
    const firstFinding = lines.findIndex((l) => l.startsWith('- ['));
    expect(lines[firstFinding]).toContain('[error]');
  });

  it('stays within 15 lines for huge reports and never lets a field add lines', () => {
    const r: Report = structuredClone(loadFixture('blocked'));
    r.profile.name = 'evil\nname\r\nwith\u2028lines';
    r.firewall.blocked = Array.from({ length: 30 }, (_, i) => ({
      protocol: 'udp' as const,
      ports: [[i, i]] as [number, number][],
      to: ['x\ny'],
      checks: [],
      layer: 'local' as const,
    }));
    r.findings = Array.from({ length: 30 }, (_, i) => ({
      code: `c${i}`,
      severity: 'warn' as const,
      message: `finding ${i}\nsecond line`,
    }));
    const s = summarizeReport(r);
    const lines = s.split('\n');
    expect(lines.length).toBeLessThanOrEqual(15);
    expect(lines[0]).toContain('evil name with lines');
    expect(s).toContain('… and 26 more');
    expect(s).not.toContain('\r');
  });
});
