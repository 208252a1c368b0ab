import { describe, expect, it } from 'vitest';
import { FAMILY_FINDING, V6_BLOCKED_MESSAGE } from '#common/report/family';
import {
  checkCountsText,
  failedChecksText,
  familyCounts,
  groupByFamily,
  requirementFamily,
  verdictFamily,
  verdictNotes,
} from '#common/report/family-rows';
import { ReportSchema, type CheckResult } from '#common/report/schema';
import { describeBlocked, describeVerdict, ipv6FactLines, summarizeReport } from '#common/report/summary';
import { DUAL_STACK_FIXTURES, fixturePath, loadFixture } from './fixtures';
import { readFileSync } from 'node:fs';

const check = (id: string, status: CheckResult['status'], family?: 4 | 6): CheckResult => ({
  id,
  kind: 'turn',
  status,
  reason: status === 'pass' ? 'ok' : 'timeout',
  detail: id,
  evidence: {},
  ...(family ? { family } : {}),
});

describe('dual-stack fixtures', () => {
  for (const name of DUAL_STACK_FIXTURES) {
    it(`${name} is a valid report whose every IPv6 entry is the /v6 twin of an IPv4 one`, () => {
      const raw = JSON.parse(readFileSync(fixturePath(name), 'utf8')) as unknown;
      const parsed = ReportSchema.safeParse(raw);
      expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
      const r = loadFixture(name);
      for (const list of [r.checks, r.ranges] as const) {
        const ids = new Set(list.map((c) => c.id));
        for (const c of list.filter((x) => x.family === 6)) {
          expect(c.id.endsWith('/v6')).toBe(true);
          expect(ids.has(c.id.slice(0, -3))).toBe(true);
        }
      }
      expect(familyCounts(r.checks).v6).not.toBeNull();
    });
  }

  it('v6-dropped: every IPv6 twin failed by timeout, one ipv6-blocked warning, verdicts over IPv4', () => {
    const r = loadFixture('v6-dropped');
    const v6 = r.checks.filter((c) => c.family === 6 && c.kind !== 'nat' && c.kind !== 'webrtc');
    expect(v6.length).toBeGreaterThan(0);
    expect(v6.every((c) => c.status === 'fail' && c.reason === 'timeout')).toBe(true);
    expect(r.findings.filter((f) => f.code === FAMILY_FINDING.v6Blocked)).toHaveLength(1);
    expect(r.findings[0]!.severity).toBe('warn');
    const open = loadFixture('dual-stack-open');
    expect(r.verdicts.group?.path).toBe(open.verdicts.group?.path);
    expect(r.verdicts.p2p?.path).toBe(open.verdicts.p2p?.path);
    expect(r.verdicts.group?.family).toBe(4);
  });
});

describe('groupByFamily', () => {
  it('puts each IPv6 twin on the row of its IPv4 entry, in order of first appearance', () => {
    const rows = groupByFamily([
      check('turn:udp:t:3478/v6', 'fail', 6),
      check('stun:udp:t:3478', 'pass', 4),
      check('turn:udp:t:3478', 'pass', 4),
      check('stun:udp:t:3478/v6', 'pass', 6),
    ]);
    expect(rows.map((r) => [r.id, r.main.id, r.v6?.id])).toEqual([
      ['turn:udp:t:3478', 'turn:udp:t:3478', 'turn:udp:t:3478/v6'],
      ['stun:udp:t:3478', 'stun:udp:t:3478', 'stun:udp:t:3478/v6'],
    ]);
  });

  it('keeps an IPv6 entry without IPv4 twin as its own row, and reads old reports by id', () => {
    const rows = groupByFamily([check('turn:udp:t:3478', 'pass'), check('tls:v6only:443/v6', 'pass')]);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.v6).toBeUndefined();
    expect(rows[1]!.main.id).toBe('tls:v6only:443/v6');
    expect(rows[1]!.id).toBe('tls:v6only:443');
  });

  it('gives an IPv4-only report exactly one row per check', () => {
    const r = loadFixture('open');
    expect(groupByFamily(r.checks).map((x) => x.main)).toEqual(r.checks);
    expect(familyCounts(r.checks).v6).toBeNull();
  });

  it('groups the dual-stack fixture into as many rows as the IPv4 report has checks', () => {
    const ds = loadFixture('dual-stack-open');
    const rows = groupByFamily(ds.checks);
    expect(rows.map((x) => x.id)).toEqual(loadFixture('open').checks.map((c) => c.id));
    expect(rows.filter((x) => x.v6).length).toBe(9);
    expect(groupByFamily(ds.ranges).map((x) => [x.id, x.v6?.id])).toEqual([
      ['udp-range:group', 'udp-range:group/v6'],
      ['udp-range:p2p', 'udp-range:p2p/v6'],
      ['tcp-range:p2p', 'tcp-range:p2p/v6'],
    ]);
  });
});

describe('counts per family', () => {
  it('counts IPv6 apart, so a dropped IPv6 does not double the failures', () => {
    const r = loadFixture('v6-dropped');
    const { v4, v6 } = familyCounts(r.checks);
    expect(v4).toMatchObject({ total: 11, fail: 0, pass: 11 });
    expect(v6).toMatchObject({ total: 9, fail: 8, skipped: 1 });
    expect(failedChecksText(r.checks)).toBe('0 of 11 checks failed (+ IPv6: 8 of 9)');
    expect(checkCountsText(r.checks)).toBe(
      '11 checks: 11 passed, 0 failed, 0 warnings, 0 skipped (+ IPv6: 9 checks: 0 passed, 8 failed, 0 warnings, 1 skipped).',
    );
  });

  it('says nothing about IPv6 for an IPv4-only report', () => {
    const r = loadFixture('only-tcp-443');
    expect(failedChecksText(r.checks)).toBe('3 of 11 checks failed');
    expect(checkCountsText(r.checks)).not.toContain('IPv6');
  });
});

describe('the family in verdict sentences', () => {
  it('names IPv6 when media uses it', () => {
    const r = loadFixture('v4-tcp-443-v6-open');
    expect(verdictFamily(r, r.verdicts.group!)).toBe(6);
    expect(describeVerdict('group', r.verdicts.group!, r)).toBe(
      'Group calls will send media directly over UDP to the media server, over IPv6 — optimal latency.',
    );
  });

  it('names IPv4 only when IPv6 was warned about, and nothing on an open dual-stack network', () => {
    const dropped = loadFixture('v6-dropped');
    expect(describeVerdict('p2p', dropped.verdicts.p2p!, dropped)).toContain('the other participant, over IPv4 —');
    const open = loadFixture('dual-stack-open');
    expect(verdictFamily(open, open.verdicts.group!)).toBeNull();
    expect(describeVerdict('group', open.verdicts.group!, open)).toBe(describeVerdict('group', open.verdicts.group!));
  });

  it('folds the family into a sentence the analysis wrote, once', () => {
    const r = loadFixture('v6-only');
    const v = { ...r.verdicts.group!, summary: 'Group calls will send media directly — optimal latency.' };
    expect(describeVerdict('group', v, r)).toBe('Group calls will send media directly, over IPv6 — optimal latency.');
    const said = { ...v, summary: 'Group calls use IPv6 directly.' };
    expect(describeVerdict('group', said, r)).toBe('Group calls use IPv6 directly.');
  });

  it('keeps the black-holed-IPv6 warning out of the verdict notes (the findings show it once)', () => {
    const r = loadFixture('v6-dropped');
    const v = { ...r.verdicts.group!, notes: [...r.verdicts.group!.notes, `${V6_BLOCKED_MESSAGE}.`] };
    expect(verdictNotes(v)).toEqual(r.verdicts.group!.notes);
  });

  it('the ticket summary carries the family and the failures per family', () => {
    const r = loadFixture('v6-dropped');
    const s = summarizeReport(r);
    expect(s).toContain('Checks: 0 of 11 checks failed (+ IPv6: 8 of 9).');
    expect(s).toContain(', over IPv4 —');
    expect(s.split('\n').length).toBeLessThanOrEqual(15);
  });
});

describe('IPv6 host facts', () => {
  it('lists addresses with scope and privacy flag, the default route and the VPN', () => {
    const r = loadFixture('dual-stack-open');
    const lines = ipv6FactLines(r.host);
    expect(lines[0]).toMatch(/^Usable/);
    expect(lines.join('\n')).toContain('fd77:1::5c2e:d04b:17f6:3a91 (ULA, temporary) on veth-client');
    expect(lines.join('\n')).toContain('fe80::8c3e:21ff:fe4a:7b10 (link-local)');
    expect(lines).toContain('Default route: via fd77:1::1 on veth-client.');
    const vpn = ipv6FactLines({ ipv6: { ...r.host.ipv6!, tunnels: [], bypassesVpn: true } });
    expect(vpn).toContain('The VPN carries IPv4 only: IPv6 leaves beside it, outside the VPN.');
    const tun = ipv6FactLines({ ipv6: { ...r.host.ipv6!, tunnels: ['wg0'] } });
    expect(tun).toContain('IPv6 goes through the VPN tunnel wg0.');
    expect(ipv6FactLines({})).toEqual([]);
  });
});

describe('blocked requirements per family', () => {
  it('says "over IPv6" for a requirement only IPv6 checks stand behind, nothing for IPv4 or old reports', () => {
    const r = loadFixture('dual-stack-only-tcp-443');
    const lines = r.firewall.blocked.map((b) => describeBlocked(b));
    expect(lines.filter((l) => l.includes(' over IPv6 '))).toEqual([
      'UDP 3478 over IPv6 to fd77::10/128 (TURN over UDP) — blocked at the network edge (perimeter firewall)',
      'TCP 3478 over IPv6 to fd77::10/128 (TURN over TCP) — blocked at the network edge (perimeter firewall)',
      'UDP 10000-60000 over IPv6 to fd77::/64 (Group media) — blocked at the network edge (perimeter firewall)',
    ]);
    expect(lines[0]).toBe(
      'UDP 3478 to 10.77.0.10/32 (TURN over UDP) — blocked at the network edge (perimeter firewall)',
    );
    expect(requirementFamily({ checks: ['turn:udp:t:3478', 'turn:udp:t:3478/v6'] })).toBeNull();
    expect(
      loadFixture('only-tcp-443')
        .firewall.blocked.map((b) => describeBlocked(b))
        .join('\n'),
    ).not.toContain('IPv6');
  });
});
