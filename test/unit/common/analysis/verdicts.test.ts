import { describe, expect, it } from 'vitest';
import { analyze, type AnalysisInput } from '#common/analysis/verdicts';
import { SATURATED_PAIR_RTT_MS } from '#common/analysis/browser-relay';
import { proxyAuthFacts } from '#common/analysis/proxy-auth';
import { exitCodeFor } from '#common/analysis/rungs';
import { parseProfile, type Profile } from '#common/profile/schema';
import type { CheckResult, NatResult, RangeResult } from '#common/report/schema';

const parsed = parseProfile({
  schemaVersion: 1,
  id: 'lab',
  name: 'Lab',
  signaling: [{ host: 'sig.lab.test', port: 443 }],
  stun: [{ host: 'turn.lab.test', port: 3478 }],
  turn: [
    { host: 'turn.lab.test', port: 3478, transport: 'udp' },
    { host: 'turn.lab.test', port: 3478, transport: 'tcp' },
    { host: 'turn.lab.test', port: 443, transport: 'tls' },
  ],
  group: { mediaServers: [{ host: 'media.lab.test' }], udpPorts: [[10000, 60000]] },
  p2p: { udpPorts: [[10000, 65535]], tcpPorts: [[10000, 65535]] },
  reflector: { host: 'reflect.lab.test' },
});
if (!parsed.ok) throw new Error('fixture profile invalid');
const profile: Profile = parsed.profile;

const check = (
  id: string,
  status: CheckResult['status'],
  reason: CheckResult['reason'] = status === 'pass' ? 'ok' : 'timeout',
  extra: Partial<CheckResult> = {},
): CheckResult => {
  const [kind, transport, host, port] = id.split(':');
  const isTls = kind === 'tls';
  return {
    id,
    kind: kind as CheckResult['kind'],
    status,
    reason,
    detail: '',
    evidence: {},
    ...(isTls ? { host: transport, port: Number(host) } : { transport: transport as 'udp', host, port: Number(port) }),
    ...extra,
  };
};
const range = (
  id: string,
  protocol: 'udp' | 'tcp',
  required: [number, number][],
  allowed: [number, number][],
  blocked: [number, number][],
): RangeResult => ({
  id,
  protocol,
  host: 'reflect.lab.test',
  required,
  allowed,
  blocked,
  probes: 60,
  resolution: 1,
  confidence: 'measured',
  notes: [],
});
const eiNat: NatResult = {
  mapping: 'endpoint-independent',
  filtering: 'address-and-port-dependent',
  behaveCompliant: true,
  publicAddress: '198.51.100.7',
  method: 'rfc5780',
  notes: [],
};
const symNat: NatResult = { ...eiNat, mapping: 'address-and-port-dependent', behaveCompliant: false };
const host = { os: 'Linux', interfaces: [], vpn: false, proxy: null };

function input(over: Partial<AnalysisInput>): AnalysisInput {
  return { profile, rooms: ['group', 'p2p'], checks: [], ranges: [], nat: eiNat, host, complete: true, ...over };
}
const allTurn = (s: CheckResult['status']) => [
  check('turn:udp:turn.lab.test:3478', s),
  check('turn:tcp:turn.lab.test:3478', s),
  check('turn:tls:turn.lab.test:443', s),
];
const sigOk = check('tls:sig.lab.test:443', 'pass');
const fullRanges = [
  range('udp-range:group', 'udp', [[10000, 60000]], [[10000, 65535]], []),
  range('udp-range:p2p', 'udp', [[10000, 65535]], [[10000, 65535]], []),
  range('tcp-range:p2p', 'tcp', [[10000, 65535]], [[10000, 65535]], []),
];

describe('verdict rules (docs/architecture.md)', () => {
  it('open network: direct UDP for both rooms, optimal, measured, exit 0', () => {
    const a = analyze(input({ checks: [sigOk, ...allTurn('pass')], ranges: fullRanges }));
    expect(a.verdicts.group).toMatchObject({ path: 'direct-udp', latency: 'optimal', confidence: 'measured' });
    expect(a.verdicts.p2p).toMatchObject({ path: 'direct-udp', latency: 'optimal', confidence: 'measured' });
    expect(exitCodeFor([a.verdicts.group!.path, a.verdicts.p2p!.path])).toBe(0);
    expect(a.firewall.blocked).toEqual([]);
  });

  it('a partly open group range is not enough: falls to TURN-UDP and names the open sub-range', () => {
    const ranges = [
      range(
        'udp-range:group',
        'udp',
        [[10000, 60000]],
        [
          [10000, 29999],
          [40000, 65535],
        ],
        [[30000, 39999]],
      ),
    ];
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, ...allTurn('pass')], ranges }));
    expect(a.verdicts.group).toMatchObject({ path: 'turn-udp', latency: 'marginal' });
    expect(a.verdicts.group!.notes.join(' ')).toContain('10000-29999, 40000-60000');
    expect(a.firewall.blocked).toEqual([
      expect.objectContaining({
        protocol: 'udp',
        ports: [[30000, 39999]],
        to: ['media.lab.test'],
        purpose: 'Group media',
      }),
    ]);
  });

  it('only TCP 443: TURN-TLS, high latency, exit 2; blocked requirements carry their layer', () => {
    const checks = [
      sigOk,
      check('turn:udp:turn.lab.test:3478', 'fail', 'local-blocked', { layer: 'local' }),
      check('turn:tcp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'local' }),
      check('turn:tls:turn.lab.test:443', 'pass'),
    ];
    const ranges = [range('udp-range:group', 'udp', [[10000, 60000]], [], [[10000, 65535]])];
    const a = analyze(
      input({ rooms: ['group'], checks, ranges: ranges.map((r) => ({ ...r, layer: 'local' as const })) }),
    );
    expect(a.verdicts.group).toMatchObject({ path: 'turn-tls', latency: 'high', via: 'turn.lab.test:443' });
    expect(exitCodeFor([a.verdicts.group!.path])).toBe(2);
    expect(a.firewall.layer).toBe('local');
    expect(a.firewall.blocked.map((b) => `${b.protocol}/${b.ports.map((p) => p.join('-')).join(',')}`)).toEqual([
      'udp/3478-3478',
      'tcp/3478-3478',
      'udp/10000-60000',
    ]);
  });

  it('nothing works: blocked, latency none, exit 3', () => {
    const a = analyze(input({ checks: [check('tls:sig.lab.test:443', 'fail'), ...allTurn('fail')] }));
    expect(a.verdicts.group).toMatchObject({ path: 'blocked', latency: 'none' });
    expect(a.verdicts.p2p).toMatchObject({ path: 'blocked', latency: 'none' });
    expect(exitCodeFor(['direct-udp', a.verdicts.p2p!.path])).toBe(3);
  });

  it('signaling unreachable blocks the call even when TURN works', () => {
    const a = analyze(
      input({
        rooms: ['group'],
        checks: [check('tls:sig.lab.test:443', 'fail'), ...allTurn('pass')],
        ranges: fullRanges,
      }),
    );
    expect(a.verdicts.group!.path).toBe('blocked');
    expect(a.verdicts.group!.notes[0]).toMatch(/signaling/i);
  });

  it('symmetric NAT: group stays direct, p2p needs a relay', () => {
    const a = analyze(input({ checks: [sigOk, ...allTurn('pass')], ranges: fullRanges, nat: symNat }));
    expect(a.verdicts.group!.path).toBe('direct-udp');
    expect(a.verdicts.p2p!.path).toBe('turn-udp');
    expect(a.findings.map((f) => f.code)).toContain('symmetric-nat');
  });

  it('no reflector: a high UDP port proven through TURN gives direct-udp, inferred', () => {
    const relay: CheckResult = { ...check('relay:udp:turn.lab.test:3478', 'pass'), kind: 'relay' };
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, ...allTurn('pass'), relay] }));
    expect(a.verdicts.group).toMatchObject({ path: 'direct-udp', confidence: 'inferred' });
  });

  it('no reflector and no relay proof: direct is not assumed', () => {
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, ...allTurn('pass')] }));
    expect(a.verdicts.group).toMatchObject({ path: 'turn-udp', confidence: 'measured' });
    expect(a.verdicts.group!.notes.join(' ')).toMatch(/no reflector/);
  });

  it('browser relay test overrules an allocation when no data flows, and says so', () => {
    const webrtcTls: CheckResult = {
      ...check('webrtc:relay:tls:turn.lab.test:443', 'fail'),
      kind: 'webrtc',
      transport: 'tls',
      host: 'turn.lab.test',
      port: 443,
    };
    const checks = [
      sigOk,
      check('turn:udp:turn.lab.test:3478', 'fail'),
      check('turn:tcp:turn.lab.test:3478', 'fail'),
      check('turn:tls:turn.lab.test:443', 'pass'),
      webrtcTls,
    ];
    const a = analyze(input({ rooms: ['group'], checks }));
    expect(a.verdicts.group!.path).toBe('blocked');
    expect(a.findings.find((f) => f.code === 'engine-webrtc-disagree')?.message).toMatch(/no data flowed/);
  });

  it('a server that answered wrongly (bad-response) is not a block: no requirement, no ticket, a finding that says so', () => {
    const wrong = check('stun:udp:turn.lab.test:3478', 'fail', 'bad-response', {
      detail: 'The UDP server turn.lab.test:3478 answered wrongly.',
    });
    const a = analyze(input({ checks: [sigOk, wrong, ...allTurn('pass')], ranges: fullRanges }));
    expect(a.firewall.blocked).toEqual([]);
    expect(a.findings).toContainEqual({
      code: 'bad-response',
      severity: 'warn',
      message: expect.stringMatching(/answered wrongly\. This is not a firewall block/),
    });
  });

  it('TLS interception becomes an error finding naming the issuer', () => {
    const c = check('turn:tls:turn.lab.test:443', 'fail', 'tls-intercepted', {
      detail: 'TLS is re-signed by “Corp Inspection CA”.',
    });
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, c] }));
    expect(a.findings).toContainEqual(
      expect.objectContaining({ code: 'tls-intercepted', message: expect.stringContaining('Corp Inspection CA') }),
    );
    expect(a.firewall.blocked).toEqual([]);
  });

  it('an incomplete run that found nothing is blocked with inferred confidence', () => {
    const a = analyze(input({ rooms: ['group'], checks: [sigOk], complete: false }));
    expect(a.verdicts.group).toMatchObject({ path: 'blocked', confidence: 'inferred' });
    expect(a.findings.map((f) => f.code)).toContain('incomplete');
  });
});

describe('name resolution', () => {
  it('unresolvable servers are named in a finding and in the verdict notes', () => {
    const dns: CheckResult = {
      id: 'dns:turn.lab.test',
      kind: 'dns',
      host: 'turn.lab.test',
      status: 'fail',
      reason: 'nxdomain',
      detail: '',
      evidence: {},
    };
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, dns] }));
    expect(a.findings).toContainEqual(
      expect.objectContaining({
        code: 'dns-failed',
        severity: 'error',
        message: expect.stringContaining('turn.lab.test'),
      }),
    );
    expect(a.verdicts.group!.notes[0]).toContain('turn.lab.test could not be resolved');
  });
});

describe('TLS inspection of signaling', () => {
  it('an inspected signaling endpoint still lets the call join; the note says it depends on trusting the CA', () => {
    const sig = check('tls:sig.lab.test:443', 'fail', 'tls-intercepted', {
      detail: 're-signed by “Corp Inspection CA”',
    });
    const a = analyze(input({ rooms: ['group'], checks: [sig, ...allTurn('pass')], ranges: fullRanges }));
    expect(a.verdicts.group!.path).toBe('direct-udp');
    expect(a.verdicts.group!.notes.join(' ')).toMatch(/TLS-inspected/);
    expect(a.findings.map((f) => f.code)).toContain('tls-intercepted');
  });
});

describe('blocked requirements name where to open', () => {
  it('destinations carry the resolved addresses next to the names', () => {
    const dns: CheckResult = {
      id: 'dns:turn.lab.test',
      kind: 'dns',
      host: 'turn.lab.test',
      status: 'pass',
      reason: 'ok',
      detail: '',
      evidence: { addresses: [{ address: '10.77.2.10', family: 4 }] },
    };
    const a = analyze(
      input({
        rooms: ['group'],
        checks: [dns, sigOk, check('turn:udp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'perimeter' })],
      }),
    );
    expect(a.firewall.blocked[0]).toMatchObject({
      protocol: 'udp',
      ports: [[3478, 3478]],
      to: ['turn.lab.test', '10.77.2.10'],
      layer: 'perimeter',
    });
  });
});

describe('a failed relay test', () => {
  const relay = (step: string): CheckResult => ({
    ...check('relay:udp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'perimeter', evidence: { step } }),
    kind: 'relay',
  });
  it('that failed at the relayed port, with no reflector, asks for the media ports', () => {
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, relay('relay')] }));
    expect(a.firewall.blocked).toEqual([
      expect.objectContaining({ protocol: 'udp', ports: [[10000, 60000]], purpose: 'Media, high UDP ports' }),
    ]);
  });
  it('that failed at Allocate says nothing about the media ports', () => {
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, relay('allocate')] }));
    expect(a.firewall.blocked.filter((b) => b.purpose === 'Media, high UDP ports')).toEqual([]);
  });
  it('never contradicts a measured range', () => {
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, relay('relay')], ranges: fullRanges }));
    expect(a.firewall.blocked).toEqual([]);
  });
});

describe('blocked requirements are listed once', () => {
  it('STUN and TURN over UDP on the same port become one entry with both purposes', () => {
    const checks = [
      sigOk,
      check('stun:udp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'perimeter' }),
      check('turn:udp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'perimeter' }),
    ];
    const a = analyze(input({ rooms: ['group'], checks }));
    expect(a.firewall.blocked).toEqual([
      expect.objectContaining({
        protocol: 'udp',
        ports: [[3478, 3478]],
        purpose: 'STUN, TURN over UDP',
        checks: ['stun:udp:turn.lab.test:3478', 'turn:udp:turn.lab.test:3478'],
      }),
    ]);
  });
});

describe('what the analysis blocks can always be turned into firewall rules', () => {
  it('every purpose and destination the analysis writes passes the rule generator\u2019s input check', async () => {
    const { buildFirewallInput, generateRules } = await import('#common/firewall/index');
    const relay: CheckResult = {
      ...check('relay:udp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'perimeter', evidence: { step: 'relay' } }),
      kind: 'relay',
    };
    const checks = [
      check('tls:sig.lab.test:443', 'fail', 'timeout', { layer: 'perimeter' }),
      check('stun:udp:turn.lab.test:3478', 'fail', 'local-blocked', { layer: 'local' }),
      check('stun:tcp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'perimeter' }),
      ...allTurn('fail').map((c) => ({ ...c, layer: 'perimeter' as const })),
      relay,
    ];
    const ranges = [
      range('udp-range:p2p', 'udp', [[10000, 65535]], [], [[10000, 65535]]),
      range('tcp-range:p2p', 'tcp', [[10000, 65535]], [], [[10000, 65535]]),
    ];
    const a = analyze(input({ checks, ranges: [] }));
    const b = analyze(input({ checks: [sigOk], ranges }));
    for (const x of [a, b]) {
      expect(x.firewall.blocked.length).toBeGreaterThan(0);
      const report = { firewall: x.firewall, host: { proxy: null } } as unknown as Parameters<
        typeof buildFirewallInput
      >[1];
      expect(() => generateRules('nftables', buildFirewallInput(profile, report))).not.toThrow();
    }
  });
});

describe('unfinished is not blocked', () => {
  it('a signaling check cut short by the deadline does not turn the verdict into "blocked"', () => {
    const sig: CheckResult = {
      id: 'tls:sig.lab.test:443',
      kind: 'tls',
      host: 'sig.lab.test',
      port: 443,
      status: 'skipped',
      reason: 'deadline',
      detail: '',
      evidence: {},
    };
    const a = analyze(input({ rooms: ['group'], checks: [sig, ...allTurn('pass')], complete: false }));
    expect(a.verdicts.group).toMatchObject({ path: 'turn-udp' });
    expect(a.verdicts.group!.notes.join(' ')).toMatch(/Signaling was not checked/);
  });
});

describe('a range cut short', () => {
  it('is not a block and not a pass: direct is not confirmed, and the note says how far it got', () => {
    const partial = {
      ...range('udp-range:group', 'udp', [[10000, 60000]], [[10000, 20000]], []),
      confidence: 'inferred' as const,
    };
    const a = analyze(input({ rooms: ['group'], checks: [sigOk, ...allTurn('pass')], ranges: [partial] }));
    expect(a.verdicts.group).toMatchObject({ path: 'turn-udp' });
    expect(a.verdicts.group!.notes.join(' ')).toMatch(
      /Not every port of 10000-60000 was measured .*open so far: 10000-20000/,
    );
    expect(a.firewall.blocked).toEqual([]);
  });
});

describe('p2p direct UDP needs a NAT shown to be BEHAVE-compliant', () => {
  it('NAT unknown: direct UDP is not assumed (direct TCP may still be, inferred)', () => {
    const unknownNat: NatResult = {
      mapping: 'unknown',
      filtering: 'unknown',
      behaveCompliant: null,
      publicAddress: null,
      method: 'none',
      notes: [],
    };
    const a = analyze(
      input({ rooms: ['p2p'], checks: [sigOk, ...allTurn('pass')], ranges: fullRanges, nat: unknownNat }),
    );
    expect(a.verdicts.p2p).toMatchObject({ path: 'direct-tcp', confidence: 'inferred' });
    expect(a.verdicts.p2p!.notes.join(' ')).toMatch(
      /needs a BEHAVE-compliant NAT, and this network.s NAT behaviour could not be measured/,
    );
    expect(a.verdicts.p2p!.notes.filter((n) => /NAT behaviour/.test(n))).toHaveLength(1); // said once
  });
});

describe('peer-to-peer media ranges', () => {
  it('are opened towards any destination (peers are anywhere), not the reflector or the provider\u2019s ranges', async () => {
    const { buildFirewallInput, buildNftApplyPlan } = await import('#common/firewall/index');
    const p2pBlocked = range('udp-range:p2p', 'udp', [[10000, 65535]], [], [[10000, 65535]]);
    const a = analyze(input({ rooms: ['p2p'], checks: [sigOk], ranges: [p2pBlocked] }));
    expect(a.firewall.blocked).toEqual([
      expect.objectContaining({ purpose: 'Peer-to-peer media', to: [], anyDestination: true }),
    ]);
    const withRanges = parseProfile({
      ...JSON.parse(JSON.stringify(profile)),
      addresses: { ipv4: ['10.77.2.0/24'], ipv6: [] },
    });
    if (!withRanges.ok) throw new Error('profile');
    const report = { firewall: a.firewall, host: { proxy: null } } as unknown as Parameters<
      typeof buildFirewallInput
    >[1];
    const plan = buildNftApplyPlan(buildFirewallInput(withRanges.profile, report));
    expect(plan.rules).toEqual([{ family: 0, protocol: 'udp', daddr: [], ports: [[10000, 65535]] }]);
  });
});

describe('a relay reached through the proxy', () => {
  it('says so in the verdict, whether the engine or the in-app test decided the rung', () => {
    const viaProxy = check('turn:tls:turn.lab.test:443', 'pass', 'allocated', {
      evidence: { proxy: 'http://10.77.1.1:3128' },
    });
    const engineOnly = analyze(input({ rooms: ['group'], checks: [sigOk, viaProxy] }));
    expect(engineOnly.verdicts.group).toMatchObject({ path: 'turn-tls' });
    expect(engineOnly.verdicts.group!.notes).toContain('Reached through the proxy http://10.77.1.1:3128.');
    const browser: CheckResult = {
      ...check('webrtc:relay:tls:turn.lab.test:443', 'pass'),
      kind: 'webrtc',
      transport: 'tls',
      host: 'turn.lab.test',
      port: 443,
    };
    const both = analyze(input({ rooms: ['group'], checks: [sigOk, viaProxy, browser] }));
    expect(both.verdicts.group!.notes).toContain('Reached through the proxy http://10.77.1.1:3128.');
  });
});

describe('a proxy that asks for credentials is sign-in, not a block', () => {
  const authEvidence = (credentialsSent = false) => ({
    proxy: 'http://10.0.0.1:3128',
    proxyStatus: 407,
    proxyAuth: { proxy: '10.0.0.1:3128', schemes: ['Negotiate', 'NTLM'], credentialsSent },
  });
  const behind = (credentialsSent = false): CheckResult[] => [
    check('tls:sig.lab.test:443', 'fail', 'proxy-auth-required', { evidence: authEvidence(credentialsSent) }),
    check('turn:udp:turn.lab.test:3478', 'fail', 'timeout', { layer: 'perimeter' }),
    check('turn:tcp:turn.lab.test:3478', 'fail', 'proxy-auth-required', { evidence: authEvidence(credentialsSent) }),
    check('turn:tls:turn.lab.test:443', 'fail', 'proxy-auth-required', { evidence: authEvidence(credentialsSent) }),
  ];
  const udpBlocked = [range('udp-range:group', 'udp', [[10000, 60000]], [], [[10000, 65535]])];

  it('no rung shown to work: the verdict says the proxy needs credentials (inferred), never "blocked at the proxy"', () => {
    const a = analyze(input({ rooms: ['group'], checks: behind(), ranges: udpBlocked }));
    expect(a.verdicts.group).toMatchObject({ path: 'blocked', confidence: 'inferred' });
    expect(a.verdicts.group!.summary).toMatch(
      /the proxy needs your credentials \(10\.0\.0\.1:3128 asks for Negotiate, NTLM\)/,
    );
    expect(a.verdicts.group!.notes.join(' ')).not.toMatch(/cannot join a call at all/);
    // The 407s are not firewall requirements; only the really blocked UDP is.
    expect(a.firewall.blocked.flatMap((b) => b.checks)).not.toContain('turn:tls:turn.lab.test:443');
    expect(a.firewall.blocked.some((b) => b.layer === 'proxy')).toBe(false);
    expect(a.findings).toContainEqual(
      expect.objectContaining({
        code: 'proxy-auth-required',
        severity: 'warn',
        message: expect.stringMatching(/none were given.*http:\/\/user:password@proxy:port/),
      }),
    );
  });

  it('credentials that the proxy rejected are named as such', () => {
    const a = analyze(input({ rooms: ['group'], checks: behind(true), ranges: udpBlocked }));
    expect(a.verdicts.group!.summary).toMatch(/rejected the ones given/);
    expect(a.findings.find((f) => f.code === 'proxy-auth-required')!.message).toMatch(/rejected the ones given/);
  });

  it('when a rung works anyway (TURN over UDP), the verdict stands and one finding remains', () => {
    const checks = behind().map((c) => (c.id === 'turn:udp:turn.lab.test:3478' ? check(c.id, 'pass') : c));
    const a = analyze(
      input({ rooms: ['group'], checks: [...checks, check('tls:sig2.lab.test:443', 'pass')], ranges: udpBlocked }),
    );
    expect(a.verdicts.group).toMatchObject({ path: 'turn-udp', confidence: 'measured' });
    expect(a.verdicts.group!.summary).toBeUndefined();
    expect(a.findings.filter((f) => f.code === 'proxy-auth-required')).toHaveLength(1);
  });

  it('a real refusal (403) is still blocked at the proxy', () => {
    const refused = behind().map((c) =>
      c.reason === 'proxy-auth-required' ? { ...c, reason: 'proxy-refused' as const, layer: 'proxy' as const } : c,
    );
    const a = analyze(input({ rooms: ['group'], checks: refused, ranges: udpBlocked }));
    expect(a.verdicts.group).toMatchObject({ path: 'blocked', confidence: 'measured' });
    expect(a.verdicts.group!.summary).toBeUndefined();
    expect(a.firewall.blocked.some((b) => b.layer === 'proxy')).toBe(true);
  });
});

describe('host.proxy.auth', () => {
  const asked = check('turn:tls:turn.lab.test:443', 'fail', 'proxy-auth-required', {
    evidence: { proxyAuth: { proxy: 'p:3128', schemes: ['Basic'], credentialsSent: false } },
  });
  it('names the proxy and scheme; no browser result unless the app ran relay tests over TCP/TLS', () => {
    expect(proxyAuthFacts([sigOk])).toBeUndefined();
    expect(proxyAuthFacts([asked])).toEqual({
      required: true,
      scheme: 'Basic',
      schemes: ['Basic'],
      proxy: 'p:3128',
      credentialsGiven: false,
    });
    const browser = (status: CheckResult['status']): CheckResult => ({
      ...check('webrtc:relay:tls:turn.lab.test:443', status),
      kind: 'webrtc',
      transport: 'tls',
      host: 'turn.lab.test',
      port: 443,
    });
    expect(proxyAuthFacts([asked, browser('pass')])).toMatchObject({ browserAuthenticated: true });
    expect(proxyAuthFacts([asked, browser('fail')])).toMatchObject({ browserAuthenticated: false });
    expect(proxyAuthFacts([asked, browser('skipped')])).not.toHaveProperty('browserAuthenticated');
  });
});

describe('the browser signed in to the proxy', () => {
  const ev = { evidence: { proxyAuth: { proxy: 'p:3128', schemes: ['Basic'], credentialsSent: false } } };
  const browserTls = (status: CheckResult['status']): CheckResult => ({
    ...check('webrtc:relay:tls:turn.lab.test:443', status),
    kind: 'webrtc',
    transport: 'tls',
    host: 'turn.lab.test',
    port: 443,
  });
  const engine = [
    check('tls:sig.lab.test:443', 'fail', 'proxy-auth-required', ev),
    check('turn:udp:turn.lab.test:3478', 'fail'),
    check('turn:tls:turn.lab.test:443', 'fail', 'proxy-auth-required', ev),
  ];
  const udpBlocked = [range('udp-range:group', 'udp', [[10000, 60000]], [], [[10000, 65535]])];
  it('its relay over TLS decides: turn-tls, signaling counted with a note, no "could not be confirmed"', () => {
    const a = analyze(input({ rooms: ['group'], checks: [...engine, browserTls('pass')], ranges: udpBlocked }));
    expect(a.verdicts.group).toMatchObject({ path: 'turn-tls' });
    expect(a.verdicts.group!.summary).toBeUndefined();
    expect(a.verdicts.group!.notes.join(' ')).toMatch(/browser signed in/);
    expect(proxyAuthFacts([...engine, browserTls('pass')])).toMatchObject({ browserAuthenticated: true });
  });
  it('its relay failing too leaves the proxy-needs-credentials verdict', () => {
    const a = analyze(input({ rooms: ['group'], checks: [...engine, browserTls('fail')], ranges: udpBlocked }));
    expect(a.verdicts.group).toMatchObject({ path: 'blocked', confidence: 'inferred' });
    expect(a.verdicts.group!.summary).toMatch(/the proxy needs your credentials/);
  });
});

describe('the browser relay test decides the TURN rung', () => {
  const relay = (
    t: 'udp' | 'tcp' | 'tls',
    status: CheckResult['status'],
    reason: CheckResult['reason'],
  ): CheckResult => ({
    ...check(`webrtc:relay:${t}:turn.lab.test:${t === 'tls' ? 443 : 3478}`, status, reason),
    kind: 'webrtc',
    transport: t,
    host: 'turn.lab.test',
    port: t === 'tls' ? 443 : 3478,
    webrtcTest: 'relay',
  });
  const udpBlocked = [range('udp-range:group', 'udp', [[10000, 60000]], [], [[10000, 60000]])];
  it('a relay that carried data with poor quality (a slow link) still proves the path: TURN over UDP, no disagreement', () => {
    const checks = [
      sigOk,
      ...allTurn('pass'),
      relay('udp', 'warn', 'poor-quality'),
      relay('tcp', 'warn', 'poor-quality'),
      relay('tls', 'warn', 'poor-quality'),
    ];
    const a = analyze(input({ rooms: ['group'], checks, ranges: udpBlocked }));
    expect(a.verdicts.group).toMatchObject({ path: 'turn-udp', confidence: 'measured' });
    expect(a.findings.filter((f) => f.code === 'engine-webrtc-disagree')).toEqual([]);
  });
  it('a relay through which nothing flowed still overrules the allocation', () => {
    const checks = [
      sigOk,
      ...allTurn('pass'),
      relay('udp', 'fail', 'timeout'),
      relay('tcp', 'fail', 'timeout'),
      relay('tls', 'fail', 'timeout'),
    ];
    const a = analyze(input({ rooms: ['group'], checks, ranges: udpBlocked }));
    expect(a.verdicts.group).toMatchObject({ path: 'blocked' });
    expect(a.findings.filter((f) => f.code === 'engine-webrtc-disagree')).toHaveLength(3);
  });
  it('a DTLS handshake that ran out of time on a saturated link is not called interference', () => {
    const slow = (t: 'udp' | 'tcp' | 'tls', pairRttMs: number): CheckResult => ({
      ...relay(t, 'fail', 'no-data'),
      evidence: { iceState: 'connected', pairRttMs },
    });
    const findings = (tls: CheckResult) =>
      analyze(input({ rooms: ['group'], checks: [sigOk, ...allTurn('pass'), relay('udp', 'pass', 'ok'), tls] }))
        .findings.filter((f) => f.code === 'engine-webrtc-disagree')
        .map((f) => f.message);
    // the lab's 400 kbit/s link: the relayed round trip read 1.2 s while the handshake starved
    const saturated = findings(slow('tls', 1234));
    expect(saturated).toHaveLength(1);
    expect(saturated[0]).toMatch(/round trips in this run read 1234 ms — the link was too slow or saturated/);
    expect(saturated[0]).not.toMatch(/deep-packet/);
    // the same failure on a quick path still names interference as the likely cause
    expect(findings(slow('tls', SATURATED_PAIR_RTT_MS - 1))[0]).toMatch(/deep-packet-inspection/);
    // no round trip of its own, but another relay test of the run carried data 1.6 s round trip
    const udpSlow: CheckResult = { ...relay('udp', 'warn', 'poor-quality'), rttMs: 1624 };
    const a = analyze(
      input({ rooms: ['group'], checks: [sigOk, ...allTurn('pass'), udpSlow, relay('tls', 'fail', 'no-data')] }),
    );
    const m = a.findings.filter((f) => f.code === 'engine-webrtc-disagree').map((f) => f.message);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/read 1624 ms/);
  });
});
