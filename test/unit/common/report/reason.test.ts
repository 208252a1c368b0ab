import { describe, expect, it } from 'vitest';
import { dnsHostOf, webrtcTestOf } from '#common/analysis/ids';
import { REASON_TEXT, REASONS } from '#common/report/reason';
import { parseReport } from '#common/report/parse';
import { CheckResultSchema } from '#common/report/schema';
import { FIXTURES, loadFixture } from './fixtures';

const check = {
  id: 'turn:udp:turn.example.com:3478',
  kind: 'turn',
  status: 'fail',
  detail: 'x',
  evidence: {},
} as const;

describe('the reason vocabulary', () => {
  it('accepts every reason this version writes, unchanged', () => {
    for (const reason of REASONS) expect(CheckResultSchema.parse({ ...check, reason }).reason).toBe(reason);
  });

  it('reads a reason written by another version as `unknown` instead of refusing the report', () => {
    const r = loadFixture(FIXTURES[0]!);
    (r.checks[0] as { reason: string }).reason = 'quic-blocked';
    const parsed = parseReport(r);
    expect(parsed.ok && parsed.report.checks[0]!.reason).toBe('unknown');
  });

  it('still refuses a missing or empty reason, naming the field', () => {
    for (const reason of [undefined, '', 42]) {
      const r = CheckResultSchema.safeParse({ ...check, reason });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(['reason']);
    }
  });

  it('has words for every reason', () => {
    for (const reason of REASONS) {
      expect(REASON_TEXT[reason].label.length).toBeGreaterThan(0);
      expect(REASON_TEXT[reason].sentence('TCP to a:1', 500)).toContain('TCP to a:1');
    }
  });
});

describe('reading old reports without the newer check fields', () => {
  it('tells the in-app WebRTC tests apart by the field, or by the id in an old report', () => {
    const base = { kind: 'webrtc' as const };
    expect(webrtcTestOf({ ...base, id: 'webrtc:relay:udp:t:3478' })).toBe('relay');
    expect(webrtcTestOf({ ...base, id: 'webrtc:gather:udp:t:3478' })).toBe('relay-gather');
    expect(webrtcTestOf({ ...base, id: 'webrtc:gather:stun:s:3478' })).toBe('stun-gather');
    expect(webrtcTestOf({ ...base, id: 'webrtc:direct' })).toBe('direct');
    // The field wins over the spelling.
    expect(webrtcTestOf({ ...base, id: 'webrtc:relay:udp:t:3478', webrtcTest: 'relay-gather' })).toBe('relay-gather');
    expect(webrtcTestOf({ kind: 'turn', id: 'webrtc:relay:udp:t:3478' })).toBeUndefined();
  });

  it('names the host of a DNS check from its field, or from an old id', () => {
    expect(dnsHostOf({ id: 'dns:a.example', host: 'b.example' })).toBe('b.example');
    expect(dnsHostOf({ id: 'dns:a.example' })).toBe('a.example');
  });
});
