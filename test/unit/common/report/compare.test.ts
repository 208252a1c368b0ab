import { describe, expect, it } from 'vitest';
import { compareReports, isUnchanged } from '#common/report/compare';
import { loadFixture } from './fixtures';

describe('compareReports', () => {
  it('open → only-tcp-443: both verdicts get worse, UDP checks flip to fail, ranges close', () => {
    const c = compareReports(loadFixture('open'), loadFixture('only-tcp-443'));
    expect(c.verdicts).toEqual([
      {
        room: 'group',
        before: 'direct-udp',
        after: 'turn-tls',
        beforeLatency: 'optimal',
        afterLatency: 'high',
        changed: true,
        improved: false,
      },
      {
        room: 'p2p',
        before: 'direct-udp',
        after: 'turn-tls',
        beforeLatency: 'optimal',
        afterLatency: 'high',
        changed: true,
        improved: false,
      },
    ]);
    expect(c.flipped).toEqual([
      { id: 'stun:udp:turn.lab.test:3478', before: 'pass', after: 'fail' },
      { id: 'turn:udp:turn.lab.test:3478', before: 'pass', after: 'fail' },
      { id: 'turn:tcp:turn.lab.test:3478', before: 'pass', after: 'fail' },
      { id: 'nat:rfc5780:turn.lab.test', before: 'pass', after: 'skipped' },
    ]);
    expect(c.added.map((a) => a.id)).toEqual(['relay:tls:turn.lab.test:443', 'webrtc:relay:tls:turn.lab.test:443']);
    expect(c.removed.map((a) => a.id)).toEqual(['relay:udp:turn.lab.test:3478', 'webrtc:srflx:udp:turn.lab.test:3478']);
    expect(c.latency[0]).toEqual({ id: 'turn:tls:turn.lab.test:443', beforeMs: 4.2, afterMs: 38.6, deltaMs: 34.4 });
    expect(c.latency.map((l) => l.id).sort()).toEqual([
      'dns:sig.lab.test',
      'dns:turn.lab.test',
      'tcp:sig.lab.test:443',
      'tls:sig.lab.test:443',
      'turn:tls:turn.lab.test:443',
    ]);
    expect(c.rangesChanged.map((r) => [r.id, r.opened, r.closed])).toEqual([
      ['udp-range:group', [], [[10000, 60000]]],
      ['udp-range:p2p', [], [[10000, 65535]]],
      ['tcp-range:p2p', [], [[10000, 65535]]],
    ]);
    expect(isUnchanged(c)).toBe(false);
  });

  it('blocked → only-tcp-443 (after a firewall change): better verdicts, TURN-TLS flips to pass', () => {
    const c = compareReports(loadFixture('blocked'), loadFixture('only-tcp-443'));
    expect(c.verdicts.map((v) => [v.room, v.before, v.after, v.improved])).toEqual([
      ['group', 'blocked', 'turn-tls', true],
      ['p2p', 'blocked', 'turn-tls', true],
    ]);
    expect(c.flipped).toEqual([
      { id: 'tls:sig.lab.test:443', before: 'warn', after: 'pass' },
      { id: 'turn:tls:turn.lab.test:443', before: 'fail', after: 'pass' },
    ]);
    // tcp-range:p2p exists only in the later report: listed with no "before".
    expect(c.rangesChanged).toEqual([
      { id: 'tcp-range:p2p', protocol: 'tcp', beforeAllowed: null, afterAllowed: [], opened: [], closed: [] },
    ]);
  });

  it('a report compared with itself is unchanged', () => {
    const r = loadFixture('only-tcp-443');
    const c = compareReports(r, structuredClone(r));
    expect(isUnchanged(c)).toBe(true);
    expect(c.verdicts.every((v) => !v.changed && v.improved === null)).toBe(true);
    expect(c.latency.every((l) => l.deltaMs === 0)).toBe(true);
  });

  it('reports partly opened ranges as the ports that changed', () => {
    const before = loadFixture('only-tcp-443');
    const after = structuredClone(before);
    after.ranges[0]!.allowed = [[10000, 20000]];
    after.ranges[0]!.blocked = [[20001, 60000]];
    const c = compareReports(before, after);
    expect(c.rangesChanged).toEqual([
      {
        id: 'udp-range:group',
        protocol: 'udp',
        beforeAllowed: [],
        afterAllowed: [[10000, 20000]],
        opened: [[10000, 20000]],
        closed: [],
      },
    ]);
  });
});
