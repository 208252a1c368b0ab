import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfile, parseProfileJson, profileHosts } from '#common/profile/schema';
import { isCidr, isHostname, isIPv6 } from '#common/net/validate';
import { coversAll, formatRanges, normalizeRanges, subtractRanges } from '#common/net/ranges';

const dir = join(__dirname, '../../../../resources/profiles');
const minimal = {
  schemaVersion: 1,
  id: 'x',
  name: 'X',
  stun: [{ host: 'stun.example.com', port: 3478 }],
  group: { udpPorts: [[10000, 60000]] },
};

describe('built-in profiles', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s validates against the schema', (file) => {
    const r = parseProfileJson(readFileSync(join(dir, file), 'utf8'));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
  it('Twilio carries its end-of-service date (the notice is written from it)', () => {
    const r = parseProfileJson(readFileSync(join(dir, 'twilio-video.json'), 'utf8'));
    expect(r.ok && r.profile.endOfService).toBe('2026-12-05');
    expect(r.ok && r.profile.notice).not.toMatch(/2026|ends/);
  });
  it('no built-in profile ships a placeholder host: those are parameters now', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(
        /"host": "(your-project|meet\.example\.org|[a-z]+\.example\.com)/,
      );
    }
  });
});

describe('profile validation', () => {
  it('fills defaults and lists hosts once', () => {
    const r = parseProfile({ ...minimal, turn: [{ host: 'stun.example.com', port: 443, transport: 'tls' }] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.profile.credentials).toEqual({ type: 'none' });
    expect(profileHosts(r.profile)).toEqual(['stun.example.com']);
  });
  it.each([
    [{ schemaVersion: 2 }, 'schemaVersion'],
    [{ trun: [] }, '(root)'],
    [{ stun: [{ host: 'a b', port: 1 }] }, 'stun[0].host'],
    [{ stun: [{ host: 'stun.example.com', port: 0 }] }, 'stun[0].port'],
    [{ stun: [{ host: 'stun.example.com', port: 3478.5 }] }, 'stun[0].port'],
    [{ group: { udpPorts: [[5, 1]] } }, 'group.udpPorts[0]'],
    [{ addresses: { ipv4: ['10.0.0.0/33'] } }, 'addresses.ipv4[0]'],
    [{ addresses: { ipv6: ['10.0.0.0/8'] } }, 'addresses.ipv6[0]'],
    [{ credentials: { type: 'static', username: 'u' } }, 'credentials.credential'],
    [{ credentials: { type: 'twilio-nts', accountSid: 'nope', authToken: 't' } }, 'credentials.accountSid'],
  ])('refuses %j at %s', (patch, path) => {
    const r = parseProfile({ ...minimal, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain(path);
  });
  it('malformed JSON is an error at the root, not an exception', () => {
    const r = parseProfileJson('{"schemaVersion":');
    expect(r).toMatchObject({ ok: false, errors: [{ path: '(root)' }] });
  });
});

describe('validators and ranges', () => {
  it('hostnames: LDH labels only, no look-alikes or injection', () => {
    expect(isHostname('turn.example.com')).toBe(true);
    for (const bad of [
      'a;b',
      'a b',
      '$(id)',
      'tu\u0433n.example.com',
      'ｔurn.example.com',
      '-a.com',
      'a..b',
      '1.2.3.4',
      'x'.repeat(64),
    ]) {
      expect(isHostname(bad), bad).toBe(false);
    }
  });
  it('IPv6 and CIDRs', () => {
    expect(isIPv6('2001:db8::1')).toBe(true);
    expect(isIPv6('::ffff:1.2.3.4')).toBe(true);
    expect(isIPv6('1::2::3')).toBe(false);
    expect(isCidr('2603:1063::/38', 6)).toBe(true);
    expect(isCidr('52.112.0.0/14', 4)).toBe(true);
    expect(isCidr('52.112.0.0/014')).toBe(false);
  });
  it('range algebra', () => {
    expect(
      normalizeRanges([
        [5, 9],
        [1, 4],
        [20, 30],
      ]),
    ).toEqual([
      [1, 9],
      [20, 30],
    ]);
    expect(subtractRanges([[10000, 60000]], [[30000, 39999]])).toEqual([
      [10000, 29999],
      [40000, 60000],
    ]);
    expect(coversAll([[10000, 65535]], [[10000, 60000]])).toBe(true);
    expect(coversAll([[10000, 59999]], [[10000, 60000]])).toBe(false);
    expect(
      formatRanges([
        [3478, 3478],
        [10000, 20000],
      ]),
    ).toBe('3478, 10000-20000');
  });
});
