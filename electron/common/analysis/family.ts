import { coversAll } from '../net/ranges';
import {
  baseId,
  FAMILY_FINDING,
  FAMILY_LABEL,
  familyOf,
  v6Id,
  V6_BLOCKED_MESSAGE,
  type Family,
} from '../report/family';
import { TRANSPORT_LABEL } from '../report/kinds';
import { unknownNat, type CheckResult, type NatResult, type RangeResult, type Verdict } from '../report/schema';
import { overallLayer } from './blocked';
import { P2P_RUNGS, RUNG_LABEL } from './rungs';
import { analyze, type Analysis, type AnalysisInput } from './verdicts';

/**
 * Dual stack in the analysis (docs/architecture.md, "Dual stack"). Each family is judged on its
 * own checks and ranges with the one-family rules (`analyze`), then the two are merged the way a
 * client behaves: a call works when either family works, the better rung of the ladder wins (a tie
 * goes to IPv4), and the verdict names the family. IPv6 failing where IPv4 works is one `warn`
 * finding, never a failure. A report without IPv6 twins (older reports, IPv4-only machines or
 * servers) is analysed exactly as before. Pure.
 */
export function analyzeByFamily(
  input: AnalysisInput,
  analyzeOne: (input: AnalysisInput) => Analysis = analyze,
): Analysis {
  const twinned = input.checks.some((c) => c.kind !== 'dns' && familyOf(c) === 6) || input.ranges.some(isV6);
  if (!twinned) return stampIpv4(analyzeOne(input), input.checks);
  const v4 = analyzeOne(familyInput(input, 4));
  const v6 = remapV6(analyzeOne(familyInput(input, 6)), input.ranges);
  const unrouted4 = unrouted(input.checks, 4);
  // No IPv6 route after all (every twin `unreachable` at once): clients fail over at once, nothing to warn about.
  const unrouted6 = unrouted(input.checks, 6);
  const verdicts: Analysis['verdicts'] = {};
  for (const room of ['group', 'p2p'] as const) {
    const a = v4.verdicts[room];
    const b = v6.verdicts[room];
    if (!a || !b) continue;
    (verdicts as Record<string, Verdict>)[room] = merge(a, b);
  }
  // One finding per rung, not per family: an IPv6 twin failing the same way as its IPv4 check adds nothing.
  const echo = echoesOfTwins(input.checks);
  const findings: Analysis['findings'] = [];
  for (const f of [...v4.findings, ...v6.findings])
    if (!echo(f.message) && !findings.some((x) => x.code === f.code && x.message === f.message)) findings.push(f);
  findings.push(...familyFindings(input, verdicts, v4.verdicts, unrouted4, unrouted6));
  // Each family's own requirements, towards its own addresses; none for a family this machine has no route for.
  const blocked = [
    ...(unrouted4 ? [] : v4.firewall.blocked.filter((b) => b.checks.every((id) => familyOfId(id) === 4))),
    ...(unrouted6 ? [] : v6.firewall.blocked.filter((b) => b.checks.every((id) => familyOfId(id) === 6))),
  ];
  return { verdicts, firewall: { ...v4.firewall, blocked, layer: overallLayer(blocked) }, findings };
}

/**
 * No IPv6 twin ran (an IPv4-only machine or servers): a report whose checks say `family: 4` gets it
 * on its working verdicts too; an older report without family fields is left exactly as it was.
 */
function stampIpv4(a: Analysis, checks: CheckResult[]): Analysis {
  if (!checks.some((c) => c.family === 4)) return a;
  const stamp = <V extends Verdict>(v: V | undefined): V | undefined =>
    v && v.path !== 'blocked' ? { ...v, family: 4 } : v;
  const group = stamp(a.verdicts.group);
  const p2p = stamp(a.verdicts.p2p);
  return { ...a, verdicts: { ...(group ? { group } : {}), ...(p2p ? { p2p } : {}) } };
}

const isV6 = (r: RangeResult): boolean => familyOf(r) === 6;

/** Whether a finding's message is an IPv6 twin's detail whose IPv4 check failed for the same reason. */
function echoesOfTwins(checks: CheckResult[]): (message: string) => boolean {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const echoes = checks.filter(
    (c) => familyOf(c) === 6 && c.detail !== '' && byId.get(baseId(c.id))?.reason === c.reason && c.status === 'fail',
  );
  return (message) => echoes.some((c) => message.startsWith(c.detail));
}
const familyOfId = (id: string): Family => familyOf({ id });
/** Checks whose meaning does not depend on a family the engine chose: names, the page's WebRTC tests, quality. */
const UNPINNED = new Set<CheckResult['kind']>(['dns', 'webrtc', 'quality', 'proxy']);

/**
 * One family's view of the run: its own network checks, its ranges under their IPv4 ids (the
 * one-family rules look ranges up by id), names with only that family's addresses (so its blocked
 * requirements name its own destinations), and the engine's quality entries measured over it (so a
 * verdict's `quality` describes the family it names). Signaling is judged over both families (a
 * client's signaling uses whichever works); the page's tests and its quality entries (no family)
 * go with IPv4, as before.
 */
function familyInput(input: AnalysisInput, f: Family): AnalysisInput {
  const ownTls = input.checks.some((c) => c.kind === 'tls' && familyOf(c) === f);
  const checks = input.checks.flatMap((c): CheckResult[] => {
    if (c.kind === 'dns') return [onlyFamily(c, f)];
    // The other family's signaling counts where it works (or where this family has none to judge):
    // its failures are its own family's requirements, not this one's.
    if (c.kind === 'tls') return familyOf(c) === f || c.status !== 'fail' || !ownTls ? [c] : [];
    if (UNPINNED.has(c.kind)) return f === 4 ? [c] : [];
    return familyOf(c) === f ? [c] : [];
  });
  const ranges = input.ranges.filter((r) => familyOf(r) === f).map((r) => ({ ...r, id: baseId(r.id) }));
  const quality = input.quality?.filter((q) => (q.sensor === 'engine' ? familyOf(q) : 4) === f);
  return {
    ...input,
    checks,
    ranges,
    nat: f === 4 ? input.nat : nat6(input.checks),
    ...(quality ? { quality } : {}),
  };
}

function onlyFamily(c: CheckResult, f: Family): CheckResult {
  const list = c.evidence.addresses;
  if (!Array.isArray(list)) return c;
  const kept = list.filter((a: { family?: unknown }) => (a.family ?? 4) === f);
  return { ...c, evidence: { ...c.evidence, addresses: kept } };
}

/** The IPv6 analysis speaks of ranges by their IPv4 ids: give them back their own. */
function remapV6(a: Analysis, ranges: RangeResult[]): Analysis {
  const own = new Set(ranges.filter(isV6).map((r) => baseId(r.id)));
  const map = (ids: string[]) => ids.map((id) => (own.has(id) ? v6Id(id) : id));
  const verdicts: Analysis['verdicts'] = {};
  if (a.verdicts.group) verdicts.group = { ...a.verdicts.group, evidence: map(a.verdicts.group.evidence) };
  if (a.verdicts.p2p) verdicts.p2p = { ...a.verdicts.p2p, evidence: map(a.verdicts.p2p.evidence) };
  const blocked = a.firewall.blocked.map((b) => ({ ...b, checks: map(b.checks) }));
  return { ...a, verdicts, firewall: { ...a.firewall, blocked } };
}

const rank = (path: string): number => {
  const i = (P2P_RUNGS as readonly string[]).indexOf(path);
  return i < 0 ? P2P_RUNGS.length : i;
};

/** The better rung wins, a tie goes to IPv4; a blocked verdict names no family. */
function merge<V extends Verdict>(a: V, b: V): V {
  if (rank(b.path) < rank(a.path)) {
    const over4 =
      a.path === 'blocked'
        ? 'Over IPv4 no path works.'
        : `Over IPv4 the best path is ${RUNG_LABEL[a.path]}; media will use IPv6.`;
    return { ...b, family: 6, notes: [...b.notes, over4] };
  }
  return a.path === 'blocked' ? a : { ...a, family: 4 };
}

/** Every network check of this family that ran failed for want of a route (ENETUNREACH): e.g. an IPv6-only machine. */
function unrouted(checks: CheckResult[], f: Family): boolean {
  const ran = checks.filter((c) => !UNPINNED.has(c.kind) && familyOf(c) === f && c.status !== 'skipped');
  return ran.length > 0 && ran.every((c) => c.status === 'fail' && c.reason === 'unreachable');
}

/** What the IPv6 twin of the NAT check found: no NAT, NPTv6 (ports kept) or NAT66. */
interface Ipv6NatEvidence {
  translation: 'none' | 'nptv6' | 'nat66' | 'unknown';
  publicAddress: string | null;
  local?: string;
  notes?: string[];
}

function natTwin(checks: CheckResult[]): { check: CheckResult; v6: Ipv6NatEvidence } | undefined {
  const check = checks.find((c) => c.kind === 'nat' && familyOf(c) === 6 && c.status !== 'skipped');
  const v6 = check?.evidence.ipv6Nat as Ipv6NatEvidence | undefined;
  return check && v6 && typeof v6.translation === 'string' ? { check, v6 } : undefined;
}

/** IPv6's NAT behaviour for the peer-to-peer rules: none or NPTv6 keep ports (BEHAVE); NAT66 as measured. */
function nat6(checks: CheckResult[]): NatResult {
  const unknown = unknownNat();
  const t = natTwin(checks);
  if (!t) return unknown;
  const ev = t.check.evidence;
  const filtering = (typeof ev.filtering === 'string' ? ev.filtering : 'unknown') as NatResult['filtering'];
  const measured = (typeof ev.mapping === 'string' ? ev.mapping : 'unknown') as NatResult['mapping'];
  const base = { ...unknown, filtering, publicAddress: t.v6.publicAddress, notes: t.v6.notes ?? [] };
  if (t.v6.translation === 'none') return { ...base, mapping: 'none', behaveCompliant: true };
  if (t.v6.translation === 'nptv6') return { ...base, mapping: 'endpoint-independent', behaveCompliant: true };
  if (t.v6.translation === 'nat66' && measured !== 'unknown' && measured !== 'none')
    return { ...base, mapping: measured, behaveCompliant: measured === 'endpoint-independent' };
  return base;
}

/** "TURN over UDP turn.example.com:3478" for a check, "UDP ports (udp-range:group)" for a range. */
function rungLabel(c: CheckResult): string {
  const where = c.host !== undefined ? ` ${c.host}${c.port !== undefined ? `:${c.port}` : ''}` : '';
  const what =
    c.kind === 'tls'
      ? 'Signaling TLS'
      : c.kind === 'turn' && c.transport
        ? `TURN over ${TRANSPORT_LABEL[c.transport]}`
        : c.kind === 'relay'
          ? 'High UDP port through the relay'
          : c.kind === 'nat'
            ? 'NAT test'
            : c.kind === 'stun'
              ? 'STUN'
              : c.kind.toUpperCase();
  return `${what}${where}`;
}

/** IPv6 twins (checks and ranges) that fail where their IPv4 variant works. */
function failingOnlyOverV6(input: AnalysisInput): string[] {
  const byId = new Map(input.checks.map((c) => [c.id, c]));
  const works = (c: CheckResult | undefined) => c !== undefined && (c.status === 'pass' || c.status === 'warn');
  const out: string[] = [];
  for (const c of input.checks) {
    if (UNPINNED.has(c.kind) || familyOf(c) !== 6 || c.status !== 'fail') continue;
    if (works(byId.get(baseId(c.id)))) out.push(rungLabel(c));
  }
  const ranges = new Map(input.ranges.map((r) => [r.id, r]));
  for (const r of input.ranges.filter(isV6)) {
    const v4 = ranges.get(baseId(r.id));
    const open = (x: RangeResult) => x.confidence === 'measured' && coversAll(x.allowed, x.required);
    if (v4 && open(v4) && r.blocked.length > 0)
      out.push(`${r.protocol.toUpperCase()} media ports towards ${r.host} (${baseId(r.id)})`);
  }
  return out;
}

function familyFindings(
  input: AnalysisInput,
  merged: Analysis['verdicts'],
  over4: Analysis['verdicts'],
  unrouted4: boolean,
  unrouted6: boolean,
): Analysis['findings'] {
  const out: Analysis['findings'] = [];
  const onlyV6 = unrouted6 ? [] : failingOnlyOverV6(input);
  if (onlyV6.length > 0)
    out.push({
      code: FAMILY_FINDING.v6Blocked,
      severity: 'warn',
      message: `${V6_BLOCKED_MESSAGE}. Over IPv6 these fail while they work over IPv4: ${onlyV6.join('; ')}.`,
    });
  const rooms = (['group', 'p2p'] as const).filter((r) => merged[r]?.family === 6 && over4[r]?.path === 'blocked');
  if (rooms.length > 0)
    out.push({
      code: FAMILY_FINDING.v6Only,
      severity: 'info',
      message: `Only ${FAMILY_LABEL[6]} reaches the servers${unrouted4 ? ' (this computer has no IPv4 route)' : ''}: ${rooms.map((r) => (r === 'group' ? 'group calls' : 'peer-to-peer calls')).join(' and ')} will use ${FAMILY_LABEL[6]}.`,
    });
  const t = natTwin(input.checks);
  if (t?.v6.translation === 'none')
    out.push({
      code: FAMILY_FINDING.noNat6,
      severity: 'info',
      message: `IPv6 reaches the servers with this computer's own address${t.v6.publicAddress ? ` (${t.v6.publicAddress})` : ''}: no NAT, only a firewall.`,
    });
  else if (t && (t.v6.translation === 'nptv6' || t.v6.translation === 'nat66'))
    out.push({
      code: FAMILY_FINDING.nat66,
      severity: t.v6.translation === 'nptv6' ? 'info' : 'warn',
      message:
        `${t.v6.translation === 'nptv6' ? 'NPTv6' : 'NAT66'} detected: this computer's ${t.v6.local ?? 'IPv6 address'} is seen as ${t.v6.publicAddress ?? 'another address'}. ${(t.v6.notes ?? []).join(' ')}`.trim(),
    });
  return out;
}
