import { coversAll, formatRanges, intersectRanges, type PortRange } from '../net/ranges';
import type { Profile } from '../profile/schema';
import type {
  CheckResult,
  Confidence,
  GroupVerdict,
  HostFacts,
  NatResult,
  P2pPath,
  P2pVerdict,
  RangeResult,
  Report,
  RoomType,
} from '../report/schema';
import { TRANSPORT_LABEL } from '../report/kinds';
import { noRelayMessage } from './browser-relay';
import { ANSWERED_WRONGLY, dnsHostOf, rangeId, webrtcTestOf } from './ids';
import { latencyOf } from './rungs';
import { blockedRequirements, overallLayer } from './blocked';
import { applyProxyAuth, browserSignedIn, PROXY_AUTH_REASON } from './proxy-auth';
import type { QualityPath, QualityResult } from '../quality/schema';
import { attachQuality, baselineRtt, profileRates, qualityFindings } from './quality';

/** Kept here for the callers that import it with the verdicts. */
export { blockedRequirements } from './blocked';

/**
 * Verdict rules (docs/architecture.md, "Verdict rules"): a rung counts only if it was shown to work end to
 * end for its transport; group direct-udp needs the whole required UDP range; p2p direct-udp also
 * needs a BEHAVE-compliant NAT (or none); confidence is `inferred` when a rung is judged without a
 * direct measurement. Pure: the same inputs always give the same verdicts.
 */
export interface AnalysisInput {
  profile: Profile;
  rooms: RoomType[];
  checks: CheckResult[];
  ranges: RangeResult[];
  nat: NatResult;
  host: HostFacts;
  complete: boolean;
  /** Call-quality measurements (both sensors); each verdict's `quality` is judged from them. */
  quality?: QualityResult[];
}

export type Analysis = Pick<Report, 'verdicts' | 'firewall' | 'findings'>;

interface Rung {
  ok: boolean;
  confidence: Confidence;
  evidence: string[];
  notes: string[];
  via?: string;
}

const NO: Rung = { ok: false, confidence: 'measured', evidence: [], notes: [] };

/** "Reached through the proxy …" when the passing allocation went through one. */
function proxyNotes(passing: CheckResult[]): string[] {
  const proxy = passing.map((c) => c.evidence.proxy).find((p): p is string => typeof p === 'string');
  return proxy ? [`Reached through the proxy ${proxy}.`] : [];
}

/** A TURN rung: the engine's allocation, overruled by the browser's relay test when one ran. */
function turnRung(checks: CheckResult[], transport: 'udp' | 'tcp' | 'tls', findings: Analysis['findings']): Rung {
  const engine = checks.filter((c) => c.kind === 'turn' && c.transport === transport);
  const browser = checks.filter((c) => webrtcTestOf(c) === 'relay' && c.transport === transport);
  const enginePass = engine.filter((c) => c.status === 'pass');
  // A browser relay that carried data with poor quality (`warn`, poor-quality) still proves the path: on a slow
  // link every relay is poor, and counting it as "no data flowed" made the verdict a false `blocked`.
  const browserPass = browser.filter((c) => c.status === 'pass' || c.status === 'warn');
  const label = `TURN over ${TRANSPORT_LABEL[transport]}`;
  if (browser.length > 0 && browser.every((c) => c.status !== 'skipped')) {
    if (enginePass.length > 0 && browserPass.length === 0) {
      findings.push({
        code: 'engine-webrtc-disagree',
        severity: 'warn',
        message: noRelayMessage(label, browser, checks),
      });
    } else if (engine.length > 0 && enginePass.length === 0 && browserPass.length > 0) {
      findings.push({
        code: 'engine-webrtc-disagree',
        severity: 'info',
        message: `${label}: the probe could not reach the server, but the browser relayed data (possibly through the system proxy).`,
      });
    }
    if (browserPass.length === 0) return { ...NO, evidence: browser.map((c) => c.id) };
    const best = browserPass[0]!;
    return {
      ok: true,
      confidence: 'measured',
      evidence: [...browserPass, ...enginePass].map((c) => c.id),
      notes: proxyNotes(enginePass),
      via: `${best.host}:${best.port}`,
    };
  }
  if (enginePass.length === 0) return { ...NO, evidence: engine.map((c) => c.id) };
  const best = [...enginePass].sort((a, b) => (a.rttMs ?? Infinity) - (b.rttMs ?? Infinity))[0]!;
  return {
    ok: true,
    confidence: 'measured',
    evidence: enginePass.map((c) => c.id),
    notes: proxyNotes([best]),
    via: `${best.host}:${best.port}`,
  };
}

/** Direct media over a port range: measured by the reflector, or inferred from one relayed high port. */
function directRung(
  ranges: RangeResult[],
  id: string,
  required: PortRange[] | undefined,
  checks: CheckResult[],
  protocol: 'udp' | 'tcp',
): Rung {
  if (!required) return NO;
  const range = ranges.find((r) => r.id === id);
  if (range && range.confidence === 'measured') {
    if (coversAll(range.allowed, required))
      return { ok: true, confidence: 'measured', evidence: [range.id], notes: [] };
    const open = intersectRanges(range.allowed, required);
    const notes = [
      open.length
        ? `Only part of the required ${protocol.toUpperCase()} range ${formatRanges(required)} is open: ${formatRanges(open)}. Media servers may pick a blocked port, so direct ${protocol.toUpperCase()} is not reliable.`
        : `The required ${protocol.toUpperCase()} range ${formatRanges(required)} is blocked.`,
    ];
    return { ok: false, confidence: 'measured', evidence: [range.id], notes };
  }
  if (range) {
    const open = intersectRanges(range.allowed, required);
    return {
      ...NO,
      confidence: 'inferred',
      evidence: [range.id],
      notes: [
        `Not every port of ${formatRanges(required)} was measured before the diagnosis ended${open.length ? ` (open so far: ${formatRanges(open)})` : ''}; direct ${protocol.toUpperCase()} is not confirmed.`,
      ],
    };
  }
  if (protocol === 'udp') {
    const relay = checks.filter((c) => c.kind === 'relay' && c.status === 'pass');
    if (relay.length > 0) {
      return {
        ok: true,
        confidence: 'inferred',
        evidence: relay.map((c) => c.id),
        notes: [
          'No reflector was available to measure the whole UDP range; one high UDP port was proven through a TURN relay, so the rest is inferred.',
        ],
      };
    }
    const relayFail = checks.filter((c) => c.kind === 'relay' && c.status === 'fail');
    if (relayFail.length > 0)
      return {
        ...NO,
        evidence: relayFail.map((c) => c.id),
        notes: ['A high UDP port could not be reached through the TURN relay test.'],
      };
  }
  return {
    ...NO,
    confidence: 'inferred',
    notes: [
      `Direct ${protocol.toUpperCase()} could not be measured: the profile has no reflector${protocol === 'udp' ? ' and no TURN credentials to prove a high UDP port' : ''}.`,
    ],
  };
}

function signalingRung(checks: CheckResult[], profile: Profile): Rung {
  if (profile.signaling.length === 0) return { ok: true, confidence: 'inferred', evidence: [], notes: [] };
  const sig = checks.filter((c) => c.kind === 'tls');
  const pass = sig.filter((c) => c.status === 'pass');
  if (pass.length > 0) return { ok: true, confidence: 'measured', evidence: pass.map((c) => c.id), notes: [] };
  // An inspected signaling connection still carries signaling for clients that trust the corporate
  // CA (browsers use the system store); only TURN-TLS breaks. Count it, and say so.
  const inspected = sig.filter((c) => c.reason === 'tls-intercepted');
  if (inspected.length > 0) {
    return {
      ok: true,
      confidence: 'inferred',
      evidence: inspected.map((c) => c.id),
      notes: ['Signaling is reachable but TLS-inspected; it works only where the inspecting CA is trusted.'],
    };
  }
  // Not finished (deadline, cancel) is not evidence of a block: judge the media paths, say so.
  if (!sig.some((c) => c.status === 'fail')) {
    return {
      ok: true,
      confidence: 'inferred',
      evidence: [],
      notes: [
        'Signaling was not checked before the diagnosis ended, so whether the client can join was not confirmed.',
      ],
    };
  }
  // A proxy asking for credentials is sign-in, not a block (applyProxyAuth words the verdict).
  if (sig.some((c) => c.reason === PROXY_AUTH_REASON)) {
    const ids = sig.map((c) => c.id);
    if (browserSignedIn(checks)) {
      return {
        ok: true,
        confidence: 'inferred',
        evidence: ids,
        notes: [
          'The proxy asked the engine for credentials on the way to signaling; the browser signed in to it and relayed over TCP/TLS, so it reaches signaling the same way.',
        ],
      };
    }
    return { ...NO, confidence: 'inferred', evidence: ids, notes: [] };
  }
  return {
    ...NO,
    evidence: sig.map((c) => c.id),
    notes: ['No signaling endpoint could be reached over TLS, so the client cannot join a call at all.'],
  };
}

function decide<P extends P2pPath>(
  ladder: Array<[P, Rung]>,
  signaling: Rung,
  complete: boolean,
  extraNotes: string[],
): {
  path: P | 'blocked';
  latency: ReturnType<typeof latencyOf>;
  confidence: Confidence;
  evidence: string[];
  notes: string[];
  via?: string;
} {
  const notes = [...signaling.notes, ...extraNotes];
  for (const [, r] of ladder) notes.push(...r.notes);
  if (!signaling.ok) {
    return { path: 'blocked', latency: 'none', confidence: 'measured', evidence: signaling.evidence, notes };
  }
  for (const [path, r] of ladder) {
    if (r.ok) {
      return {
        path,
        latency: latencyOf(path),
        confidence: r.confidence,
        evidence: r.evidence,
        notes,
        ...(r.via ? { via: r.via } : {}),
      };
    }
  }
  const inferred = !complete || ladder.some(([, r]) => r.confidence === 'inferred');
  if (!complete) notes.push('The diagnosis was cut short by its deadline or a cancel; some checks did not finish.');
  return {
    path: 'blocked',
    latency: 'none',
    confidence: inferred ? 'inferred' : 'measured',
    evidence: ladder.flatMap(([, r]) => r.evidence),
    notes,
  };
}

function natNotes(nat: NatResult): { compliant: boolean | null; notes: string[] } {
  if (nat.mapping === 'none') return { compliant: true, notes: [] };
  if (nat.behaveCompliant === true) return { compliant: true, notes: [] };
  if (nat.behaveCompliant === false) {
    return {
      compliant: false,
      notes: [
        `This network's NAT maps ports per destination (${nat.mapping} mapping, not BEHAVE-compliant), so peers cannot connect directly; a relay is needed.`,
      ],
    };
  }
  return { compliant: null, notes: ['NAT behaviour could not be determined.'] };
}

export function analyze(input: AnalysisInput): Analysis {
  const { profile, rooms, checks, ranges, nat, complete } = input;
  const findings: Analysis['findings'] = [];
  const signaling = signalingRung(checks, profile);
  const tUdp = turnRung(checks, 'udp', findings);
  const tTcp = turnRung(checks, 'tcp', findings);
  const tTls = turnRung(checks, 'tls', findings);
  const verdicts: Analysis['verdicts'] = {};
  const entries = input.quality ?? [];
  const rates = profileRates(profile);
  const baseline = baselineRtt(entries, checks);
  const working = (ladder: Array<[P2pPath, Rung]>): QualityPath[] =>
    ladder.filter(([p, r]) => r.ok && p !== 'blocked').map(([p]) => p as QualityPath);

  if (rooms.includes('group') && profile.group) {
    const direct = directRung(ranges, rangeId.group, profile.group.udpPorts, checks, 'udp');
    const ladder: Array<[GroupVerdict['path'] & P2pPath, Rung]> = [
      ['direct-udp', direct],
      ['turn-udp', tUdp],
      ['turn-tcp', tTcp],
      ['turn-tls', tTls],
    ];
    verdicts.group = decide(ladder, signaling, complete, []) as GroupVerdict;
    attachQuality('group', verdicts.group, working(ladder), entries, rates, baseline);
  }
  if (rooms.includes('p2p') && profile.p2p) {
    const { compliant, notes } = natNotes(nat);
    const udp = directRung(ranges, rangeId.p2pUdp, profile.p2p.udpPorts, checks, 'udp');
    const tcp = directRung(ranges, rangeId.p2pTcp, profile.p2p.tcpPorts, checks, 'tcp');
    // Direct UDP between peers needs a BEHAVE-compliant NAT (RFC 4787) or none — shown, not assumed.
    const gateUdp = (r: Rung): Rung =>
      !r.ok || compliant === true
        ? r
        : {
            ...r,
            ok: false,
            notes:
              compliant === null
                ? [
                    'Direct UDP between peers needs a BEHAVE-compliant NAT, and this network\u2019s NAT behaviour could not be measured.',
                  ]
                : [],
          };
    const gate = (r: Rung): Rung =>
      !r.ok ? r : compliant === false ? { ...r, ok: false } : compliant === null ? { ...r, confidence: 'inferred' } : r;
    const otherSide =
      'Direct peer-to-peer also needs the other participant\u2019s network to allow it; this report covers this side only.';
    const ladder: Array<[P2pPath, Rung]> = [
      ['direct-udp', gateUdp(udp)],
      ['direct-tcp', gate(tcp)],
      ['turn-udp', tUdp],
      ['turn-tcp', tTcp],
      ['turn-tls', tTls],
    ];
    // The gate's own note already says the NAT is unknown when it is what stopped direct UDP.
    const v = decide<P2pPath>(ladder, signaling, complete, compliant === null && udp.ok ? [] : notes);
    if (v.path === 'direct-udp' || v.path === 'direct-tcp') v.notes.push(otherSide);
    verdicts.p2p = v as P2pVerdict;
    attachQuality('p2p', verdicts.p2p, working(ladder), entries, rates, baseline);
  }

  const dnsFailed = checks.filter((c) => c.kind === 'dns' && c.status === 'fail');
  if (dnsFailed.length > 0) {
    const note = `${dnsFailed.map(dnsHostOf).join(', ')} could not be resolved, so the checks that need ${dnsFailed.length === 1 ? 'it' : 'them'} did not run.`;
    for (const v of [verdicts.group, verdicts.p2p]) v?.notes.unshift(note);
    findings.push({
      code: 'dns-failed',
      severity: 'error',
      message: `Name resolution failed: ${note} Check the DNS settings or the server names in the profile.`,
    });
  }
  const blocked = blockedRequirements(profile, checks, ranges);
  collectFindings(input, findings);
  applyProxyAuth({ verdicts, findings }, checks);
  findings.push(...qualityFindings(entries));
  return { verdicts, firewall: { blocked, layer: overallLayer(blocked) }, findings };
}

function collectFindings(input: AnalysisInput, findings: Analysis['findings']): void {
  const { checks, host, nat, complete } = input;
  for (const c of checks.filter((x) => x.reason === 'tls-intercepted')) {
    findings.push({ code: 'tls-intercepted', severity: 'error', message: c.detail });
  }
  // A server that answered wrongly let the traffic through: nothing for a firewall admin to open.
  for (const c of checks.filter((x) => x.status === 'fail' && x.reason === ANSWERED_WRONGLY)) {
    findings.push({
      code: ANSWERED_WRONGLY,
      severity: 'warn',
      message: `${c.detail} This is not a firewall block; the server's operator (or whatever sits in front of it) must look at it.`,
    });
  }
  if (checks.some((c) => c.reason === 'auth-failed')) {
    findings.push({
      code: 'auth-failed',
      severity: 'error',
      message: 'The TURN server refused the credentials; relayed media will fail until they are corrected.',
    });
  }
  if (host.proxy) {
    findings.push({
      code: 'proxy',
      severity: 'info',
      message: `A proxy (${host.proxy.url}, from ${host.proxy.source}) applies to HTTPS traffic. Browsers send TURN over TCP/TLS through it; UDP is never proxied.`,
    });
  }
  if (host.vpn) {
    findings.push({
      code: 'vpn',
      severity: 'warn',
      message: `A VPN appears to carry the default route${host.vpnReason ? ` (${host.vpnReason})` : ''}; these results describe the path through the VPN.`,
    });
  }
  if (nat.behaveCompliant === false) {
    findings.push({
      code: 'symmetric-nat',
      severity: 'warn',
      message: `The NAT is not BEHAVE-compliant (${nat.mapping} mapping): peer-to-peer calls will need a relay.`,
    });
  }
  if (!complete) {
    findings.push({
      code: 'incomplete',
      severity: 'warn',
      message: 'The diagnosis did not finish before its deadline; unfinished checks are marked skipped.',
    });
  }
}
