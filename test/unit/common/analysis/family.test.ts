import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeByFamily } from '#common/analysis/family';
import { exitCodeFor } from '#common/analysis/rungs';
import { analyze, type AnalysisInput } from '#common/analysis/verdicts';
import { FAMILY_FINDING, V6_BLOCKED_MESSAGE, v6Id } from '#common/report/family';
import { parseReportJson } from '#common/report/parse';
import type { CheckResult, Report } from '#common/report/schema';
import { profile, rungs, all, none, ranges, natTwin, input } from './dual-stack-fixtures';

const paths = (a: ReturnType<typeof analyze>) => [a.verdicts.group!.path, a.verdicts.p2p!.path];
const byCode = (a: ReturnType<typeof analyze>, code: string) => a.findings.filter((f) => f.code === code);

const openDual = input([...rungs(4, all), ...rungs(6, all), natTwin('none')], [...ranges(4, true), ...ranges(6, true)]);

describe('dual stack analysis: each family judged, then merged as a client would', () => {
  it('reports without IPv6 twins (every stored fixture) are analysed exactly as before', () => {
    for (const name of ['open', 'blocked', 'only-tcp-443', 'other-machine']) {
      const text = readFileSync(join(__dirname, '../../../fixtures/reports', `${name}.json`), 'utf8');
      const r = parseReportJson(text);
      if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r)}`);
      const rep: Report = r.report;
      expect(
        rep.checks.some((c) => c.family !== undefined || c.id.endsWith('/v6')),
        name,
      ).toBe(false);
      const i: AnalysisInput = { ...rep, profile, checks: rep.checks };
      expect(analyzeByFamily(i), name).toEqual(analyze(i));
    }
  });

  it('dual-stack open: direct for both rooms over IPv4 (a tie goes to IPv4), no IPv6 warning, no requirement', () => {
    const a = analyzeByFamily(openDual);
    expect(paths(a)).toEqual(['direct-udp', 'direct-udp']);
    expect(a.verdicts.group!.family).toBe(4);
    expect(a.verdicts.p2p!.family).toBe(4);
    expect(a.verdicts.group!.evidence).toEqual(['udp-range:group']);
    expect(byCode(a, FAMILY_FINDING.v6Blocked)).toEqual([]);
    expect(a.firewall.blocked).toEqual([]);
    expect(byCode(a, FAMILY_FINDING.noNat6)).toEqual([
      expect.objectContaining({ severity: 'info', message: expect.stringContaining('no NAT, only a firewall') }),
    ]);
  });

  it('IPv6 black-holed: verdicts and exit code as on the open network, exactly one ipv6-blocked warn naming the rungs', () => {
    const a = analyzeByFamily(input([...rungs(4, all), ...rungs(6, none)], [...ranges(4, true), ...ranges(6, false)]));
    const open = analyzeByFamily(openDual);
    expect(a.verdicts).toEqual(open.verdicts);
    expect(exitCodeFor(paths(a))).toBe(exitCodeFor(paths(open)));
    const warn = byCode(a, FAMILY_FINDING.v6Blocked);
    expect(warn).toHaveLength(1);
    expect(warn[0]!.severity).toBe('warn');
    expect(warn[0]!.message.startsWith(V6_BLOCKED_MESSAGE)).toBe(true);
    for (const what of ['Signaling TLS sig.lab.test:443', 'STUN turn.lab.test:3478', 'TURN over UDP', 'TURN over TLS'])
      expect(warn[0]!.message).toContain(what);
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('IPv6 black-holed: the firewall requirements name the IPv6 destinations the /v6 checks used, never IPv4 ones', () => {
    const a = analyzeByFamily(input([...rungs(4, all), ...rungs(6, none)], [...ranges(4, true), ...ranges(6, false)]));
    const turnUdp = a.firewall.blocked.find((b) => b.checks.includes(v6Id('turn:udp:turn.lab.test:3478')));
    expect(turnUdp).toMatchObject({ protocol: 'udp', ports: [[3478, 3478]] });
    expect(turnUdp!.to).toEqual(['turn.lab.test', 'fd77:2::10']);
    const group = a.firewall.blocked.find((b) => b.checks.includes(v6Id('udp-range:group')));
    expect(group).toMatchObject({ protocol: 'udp', ports: [[10000, 60000]] });
    for (const b of a.firewall.blocked) {
      expect(
        b.checks.every((id) => id.endsWith('/v6')),
        JSON.stringify(b),
      ).toBe(true);
      expect(
        b.to.some((t) => t.startsWith('10.')),
        JSON.stringify(b),
      ).toBe(false);
    }
  });

  it('IPv6-only machine: works over IPv6 (verdict family 6, /v6 evidence), an ipv6-only info, no IPv4 requirements', () => {
    const a = analyzeByFamily(
      input([...rungs(4, none, 'unreachable'), ...rungs(6, all), natTwin('none')], ranges(6, true)),
    );
    expect(paths(a)).toEqual(['direct-udp', 'direct-udp']);
    expect(a.verdicts.group).toMatchObject({ family: 6, evidence: ['udp-range:group/v6'] });
    expect(a.verdicts.p2p).toMatchObject({ family: 6, evidence: ['udp-range:p2p/v6'] });
    expect(byCode(a, FAMILY_FINDING.v6Only)).toEqual([
      expect.objectContaining({ severity: 'info', message: expect.stringContaining('no IPv4 route') }),
    ]);
    expect(byCode(a, FAMILY_FINDING.v6Blocked)).toEqual([]);
    expect(a.firewall.blocked).toEqual([]);
  });

  it('IPv4 only TCP 443, IPv6 open: media over IPv6 UDP, the better rung wins over IPv4 TURN/TLS', () => {
    const a = analyzeByFamily(
      input(
        [...rungs(4, (id) => id.startsWith('tls:') || id.startsWith('turn:tls')), ...rungs(6, all), natTwin('none')],
        [...ranges(4, false), ...ranges(6, true)],
      ),
    );
    expect(a.verdicts.group).toMatchObject({ path: 'direct-udp', family: 6, evidence: ['udp-range:group/v6'] });
    expect(a.verdicts.p2p).toMatchObject({ path: 'direct-udp', family: 6 });
    expect(a.verdicts.group!.notes.join(' ')).toContain('Over IPv4 the best path is TURN over TLS');
    // IPv4's failures are still what a firewall would open; IPv6 needs nothing.
    expect(a.firewall.blocked.length).toBeGreaterThan(0);
    expect(a.firewall.blocked.every((b) => b.checks.every((id) => !id.endsWith('/v6')))).toBe(true);
    expect(byCode(a, FAMILY_FINDING.v6Only)).toEqual([]);
  });

  it('peer-to-peer over IPv6 without the NAT twin: direct UDP is not shown (NAT unknown), direct TCP counts, inferred', () => {
    const a = analyzeByFamily(
      input(
        [...rungs(4, (id) => !id.startsWith('turn:tcp')), ...rungs(6, all)],
        [...ranges(4, false), ...ranges(6, true)],
      ),
    );
    // group: IPv6 direct; p2p: NAT over IPv6 unknown, so direct TCP over IPv6 (inferred) beats IPv4 TURN/UDP.
    expect(a.verdicts.group).toMatchObject({ path: 'direct-udp', family: 6 });
    expect(a.verdicts.p2p).toMatchObject({ path: 'direct-tcp', family: 6, confidence: 'inferred' });
  });

  it('the same rung over both families is a tie: IPv4 wins', () => {
    const turnUdpOnly = (id: string) => id.startsWith('tls:') || id.startsWith('turn:udp');
    const a = analyzeByFamily(
      input([...rungs(4, turnUdpOnly), ...rungs(6, turnUdpOnly)], [...ranges(4, false), ...ranges(6, false)]),
    );
    expect(a.verdicts.group).toMatchObject({ path: 'turn-udp', family: 4 });
    expect(a.verdicts.p2p).toMatchObject({ path: 'turn-udp', family: 4 });
  });

  it('blocked over both families: blocked, no family, exit code 3', () => {
    const a = analyzeByFamily(
      input([...rungs(4, none), ...rungs(6, none)], [...ranges(4, false), ...ranges(6, false)]),
    );
    expect(paths(a)).toEqual(['blocked', 'blocked']);
    expect(a.verdicts.group!.family).toBeUndefined();
    expect(exitCodeFor(paths(a))).toBe(3);
    expect(byCode(a, FAMILY_FINDING.v6Blocked)).toEqual([]);
  });

  it('NPTv6 and NAT66 are named with the addresses; NAT66 is a warning', () => {
    const npt = analyzeByFamily(
      input(
        [...rungs(4, all), ...rungs(6, all), natTwin('nptv6', '2001:db8:1::2', 'fd77:1::2')],
        [...ranges(4, true), ...ranges(6, true)],
      ),
    );
    expect(byCode(npt, FAMILY_FINDING.nat66)).toEqual([
      expect.objectContaining({ severity: 'info', message: expect.stringMatching(/NPTv6.*fd77:1::2.*2001:db8:1::2/) }),
    ]);
    const nat66 = analyzeByFamily(
      input(
        [...rungs(4, all), ...rungs(6, all), natTwin('nat66', '2001:db8::9')],
        [...ranges(4, true), ...ranges(6, true)],
      ),
    );
    expect(byCode(nat66, FAMILY_FINDING.nat66)).toEqual([
      expect.objectContaining({ severity: 'warn', message: expect.stringContaining('2001:db8::9') }),
    ]);
    expect(byCode(nat66, FAMILY_FINDING.noNat6)).toEqual([]);
  });

  it('runs the one-family analysis once per family, ranges under their IPv4 ids and names with that family only', () => {
    const seen: AnalysisInput[] = [];
    analyzeByFamily(openDual, (i) => {
      seen.push(i);
      return analyze(i);
    });
    expect(seen).toHaveLength(2);
    expect(seen.map((i) => i.ranges.map((r) => r.id))).toEqual([
      ['udp-range:group', 'udp-range:p2p', 'tcp-range:p2p'],
      ['udp-range:group', 'udp-range:p2p', 'tcp-range:p2p'],
    ]);
    expect(seen[1]!.ranges.every((r) => r.family === 6)).toBe(true);
    const addr = (i: AnalysisInput) => i.checks.find((c) => c.id === 'dns:turn.lab.test')!.evidence.addresses;
    expect(addr(seen[0]!)).toEqual([{ address: '10.77.2.10', family: 4 }]);
    expect(addr(seen[1]!)).toEqual([{ address: 'fd77:2::10', family: 6 }]);
    expect(seen[1]!.checks.filter((c) => c.kind === 'turn').every((c) => c.id.endsWith('/v6'))).toBe(true);
  });
});

describe('dual stack findings: one per rung, not per family', () => {
  it('a rung intercepted over both families is one tls-intercepted finding, not two', () => {
    const inspected = (f: 4 | 6): CheckResult[] =>
      rungs(f, (id) => !id.startsWith('turn:tls')).map((c) =>
        c.kind === 'turn' && c.transport === 'tls'
          ? {
              ...c,
              reason: 'tls-intercepted',
              detail: `TURN over TLS ${f === 6 ? '[fd77:2::10]' : '10.77.2.10'}:443 was re-signed by Corp CA.`,
            }
          : c,
      );
    const a = analyzeByFamily(input([...inspected(4), ...inspected(6)], [...ranges(4, true), ...ranges(6, true)]));
    expect(byCode(a, 'tls-intercepted')).toHaveLength(1);
    expect(byCode(a, 'tls-intercepted')[0]!.message).toContain('10.77.2.10');
    // Intercepted over IPv6 only: that one is IPv6's own, and says so.
    const only6 = analyzeByFamily(input([...rungs(4, all), ...inspected(6)], [...ranges(4, true), ...ranges(6, true)]));
    expect(byCode(only6, 'tls-intercepted')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('fd77:2::10') }),
    ]);
  });
});

describe('an IPv4-only run (no twin planned)', () => {
  it('its working verdicts say family 4, blocked ones none; nothing else changes', () => {
    const i = input(
      rungs(4, (id) => !id.startsWith('turn:udp')),
      ranges(4, true),
    );
    const a = analyzeByFamily(i);
    expect(a.verdicts.group).toMatchObject({ path: 'direct-udp', family: 4 });
    const plain = analyze(i);
    expect({ ...a.verdicts.group, family: undefined }).toEqual({ ...plain.verdicts.group, family: undefined });
    expect(a.findings).toEqual(plain.findings);
    expect(a.firewall).toEqual(plain.firewall);
    const blocked = analyzeByFamily(input(rungs(4, none), ranges(4, false)));
    expect(blocked.verdicts.group).toMatchObject({ path: 'blocked' });
    expect(blocked.verdicts.group!.family).toBeUndefined();
  });
});

describe('signaling over either family', () => {
  it('blocked over both families: each family keeps its own signaling requirement, towards its own address', () => {
    const a = analyzeByFamily(
      input([...rungs(4, none), ...rungs(6, none)], [...ranges(4, false), ...ranges(6, false)]),
    );
    const sig = a.firewall.blocked.filter((b) => b.purpose?.includes('Signaling'));
    expect(sig.map((b) => [b.checks, b.to])).toEqual([
      [['tls:sig.lab.test:443'], ['sig.lab.test', '10.77.2.20']],
      [['tls:sig.lab.test:443/v6'], ['sig.lab.test', 'fd77:2::20']],
    ]);
  });

  it('signaling that works over IPv4 only still lets IPv6 carry media; a name without AAAA is judged by IPv4', () => {
    const v6media = analyzeByFamily(
      input(
        [...rungs(4, (id) => id.startsWith('tls:')), ...rungs(6, (id) => !id.startsWith('tls:')), natTwin('none')],
        [...ranges(4, false), ...ranges(6, true)],
      ),
    );
    expect(v6media.verdicts.group).toMatchObject({ path: 'direct-udp', family: 6 });
    const noSig6 = rungs(6, all).filter((c) => c.kind !== 'tls');
    const failing4 = analyzeByFamily(input([...rungs(4, none), ...noSig6], [...ranges(4, false), ...ranges(6, true)]));
    // Signaling fails over IPv4 and has no IPv6 address: nobody can join, whatever IPv6 media could do.
    expect(failing4.verdicts.group).toMatchObject({ path: 'blocked' });
  });
});

describe('an IPv6 address without an IPv6 route', () => {
  it('every twin unreachable at once: no warning (clients fall back at once), no IPv6 requirement, IPv4 verdicts', () => {
    const a = analyzeByFamily(
      input([...rungs(4, all), ...rungs(6, none, 'unreachable')], [...ranges(4, true), ...ranges(6, false)]),
    );
    expect(paths(a)).toEqual(['direct-udp', 'direct-udp']);
    expect(a.verdicts.group!.family).toBe(4);
    expect(byCode(a, FAMILY_FINDING.v6Blocked)).toEqual([]);
    expect(a.firewall.blocked.filter((b) => b.checks.some((id) => id.endsWith('/v6')))).toEqual([]);
  });
});
