import { randomUUID } from 'node:crypto';
import { analyze } from '../../common/analysis/verdicts';
import { proxyAuthFacts } from '../../common/analysis/proxy-auth';
import { checkId, rangeId } from '../../common/analysis/ids';
import type { Profile } from '../../common/profile/schema';
import type { DiagnosisEvent } from '../../common/report/progress';
import {
  REPORT_SCHEMA_VERSION, type CheckResult, type HostFacts, type NatResult, type RangeResult, type Report, type RoomType,
} from '../../common/report/schema';
import { resolveCredentials, type TurnCredentials } from '../credentials';
import { caPem } from '../profiles/ca';
import { hostFacts } from '../host/facts';
import { proxyFromEnv, type ProxyChoice } from '../net/proxy';
import { resolveHost } from '../probes/dns';
import { tlsHandshake } from '../probes/tls';
import { createLimiter } from './limiter';
import { skipped, toCheck, type CheckMeta, type Outcome } from './outcome';
import { natSecondary, natTarget, planChecks } from './plan';
import { measureRanges, natCheck, relayCheck, stunCheck, turnCheck } from './stun-checks';
import { refineLayers, type LocalFirewallSource } from './layers';
import { detectLocalFirewall } from '../firewall/detect';
import { TOOL_VERSION } from './version';

export interface DiagnoseOptions {
  runId?: string;
  rooms?: RoomType[];
  /** Whole-diagnosis deadline (default 10 s). A fully blocked network still gets a full report by then. */
  deadlineMs?: number;
  signal?: AbortSignal;
  onEvent?: (e: DiagnosisEvent) => void;
  /** TURN credentials given on the command line or by the app; they override the profile's. */
  credentials?: { username: string; credential: string } | null;
  /** Extra CA (PEM text) trusted in addition to the system roots and the profile's `tls.ca`. */
  ca?: string;
  env?: Record<string, string | undefined>;
  /** Electron's session.resolveProxy, when running in the app. */
  resolveProxy?: (url: string) => Promise<string>;
  /** Checks already measured elsewhere (the renderer's WebRTC suite), merged before analysis. */
  extraChecks?: CheckResult[];
  concurrency?: number;
  /** Per-check deadlines, ms. */
  timeouts?: Partial<Timeouts>;
  /** Run only these check/range ids (DNS always runs); used by recheck() after a firewall fix. */
  only?: ReadonlySet<string>;
  /** Reads this machine's firewall rules, to tell local from perimeter drops (default: detect; null: never). */
  localFirewall?: LocalFirewallSource | null;
}

export interface Timeouts { dns: number; tls: number; stun: number; turn: number; relay: number; nat: number; range: number; rangeProbe: number }
export const DEFAULT_TIMEOUTS: Timeouts = { dns: 2000, tls: 3000, stun: 2500, turn: 3000, relay: 3500, nat: 4000, range: 6000, rangeProbe: 700 };

export class DiagnosisError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'DiagnosisError';
  }
}

/** Reads the profile's `tls.ca`: PEM text as is, otherwise a file path. */
function profileCa(profile: Profile, extra?: string): string | undefined {
  const parts: string[] = [];
  const ca = profile.tls?.ca;
  if (ca) {
    try {
      parts.push(caPem(ca));
    } catch (e) {
      throw new DiagnosisError('invalid-profile', `tls.ca: ${(e as Error).message}`);
    }
  }
  if (extra) parts.push(extra);
  return parts.length ? parts.join('\n') : undefined;
}

/**
 * Runs one diagnosis: profile → plan → checks (concurrent, each with its own deadline, one overall
 * deadline) → analysis → report. Progress is streamed through `onEvent`. Cancelling `signal` closes
 * every socket at once and still returns a (partial, `complete: false`) report.
 */
export async function diagnose(profile: Profile, opts: DiagnoseOptions = {}): Promise<Report> {
  const runId = opts.runId ?? randomUUID();
  const rooms = (opts.rooms ?? ['group', 'p2p']).filter((r) => (r === 'group' ? profile.group : profile.p2p));
  const t = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const emit = (e: DiagnosisEvent) => opts.onEvent?.(e);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();

  const ca = profileCa(profile, opts.ca); // throws before anything is armed: a bad CA is a bad profile
  const run = new AbortController();
  const deadlineMs = opts.deadlineMs ?? 10_000;
  const overall = setTimeout(() => run.abort(new DiagnosisError('deadline', `overall deadline of ${deadlineMs} ms reached`)), deadlineMs);
  const onOuterAbort = () => run.abort(new DiagnosisError('cancelled', 'cancelled'));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let credentialError: string | undefined;
  // Settled here, not where it is awaited: a token API that fails during the DNS phase must not
  // become an unhandled rejection.
  const credsPromise: Promise<TurnCredentials | null> = (opts.credentials
    ? Promise.resolve({ ...opts.credentials, source: 'cli' as const })
    : resolveCredentials(profile.credentials, { deadlineMs: t.tls, signal: run.signal })
  ).catch((e: Error) => {
    credentialError = e.message;
    return null;
  });
  const wanted = (id: string) => !opts.only || opts.only.has(id) || id.startsWith('dns:');
  const planned = planChecks(profile, { rooms, hasCredentials: Boolean(opts.credentials) || profile.credentials.type !== 'none' }).filter((p) => wanted(p.id));
  emit({ type: 'plan', runId, checks: planned });

  const results = new Map<string, CheckResult>();
  const ranges: RangeResult[] = [];
  let nat: NatResult = { mapping: 'unknown', filtering: 'unknown', behaveCompliant: null, publicAddress: null, method: 'none', notes: [] };
  const limit = createLimiter(opts.concurrency ?? 12);
  const record = (c: CheckResult) => {
    results.set(c.id, c);
    emit({ type: 'check', runId, result: c });
  };

  /** Runs one probe under the limiter, its own deadline and the overall signal; never throws. */
  const check = (meta: CheckMeta, deadline: number, probe: (signal: AbortSignal) => Promise<Outcome>): Promise<CheckResult | undefined> =>
    !wanted(meta.id) ? Promise.resolve(undefined) : limit(async () => {
      const start = performance.now();
      const own = AbortSignal.any([run.signal, AbortSignal.timeout(deadline + 1000)]);
      let outcome: Outcome;
      try {
        outcome = await probe(own);
      } catch (e) {
        outcome = { status: 'fail', reason: 'engine-error', detail: `The check failed unexpectedly: ${(e as Error).message}`, evidence: {} };
      }
      if (run.signal.aborted && outcome.reason === 'aborted') return undefined;
      const c = toCheck(meta, outcome, performance.now() - start);
      record(c);
      return c;
    }, run.signal).catch(() => undefined);

  let host: HostFacts | undefined;
  let proxy: ProxyChoice | null = null;
  try {
    // Phase 1: host facts, credentials and names, all at once.
    const hostP = hostFacts({ env: opts.env ?? process.env });
    const addresses = new Map<string, string>();
    await Promise.all(
      planned.filter((p) => p.kind === 'dns').map(async (p) => {
        const name = p.id.slice('dns:'.length);
        const c = await check({ id: p.id, kind: 'dns', host: name }, t.dns, (signal) => resolveHost(name, { deadlineMs: t.dns, signal }));
        const first = (c?.evidence.addresses as Array<{ address: string; family: number }> | undefined)?.find((a) => a.family === 4)
          ?? (c?.evidence.addresses as Array<{ address: string }> | undefined)?.[0];
        if (c?.status === 'pass' && first) addresses.set(name, first.address);
      }),
    );
    // Neither may hold the run up: a PAC fetch or a slow /proc read gets a short budget.
    proxy = await within(chooseProxy(profile, opts), 2000, null);
    host = { ...(await within(hostP, 2000, { os: `${process.platform}`, interfaces: [], vpn: false, vpnReason: 'not read in time', proxy: null })), proxy: proxy ? { url: proxy.url, source: proxy.source } : null };
    const creds = await credsPromise;

    // Phase 2: every network check, concurrently under the limiter.
    const ip = (name: string) => addresses.get(name);
    const needName = (meta: CheckMeta, name: string): boolean => {
      if (ip(name)) return true;
      if (!wanted(meta.id)) return false;
      record(skipped(meta, 'dns-failed', `Skipped: ${name} could not be resolved.`));
      return false;
    };
    const tasks: Array<Promise<unknown>> = [];
    for (const s of profile.signaling) {
      const meta: CheckMeta = { id: checkId.tls(s.host, s.port), kind: 'tls', host: s.host, port: s.port };
      if (!needName(meta, s.host) && !proxy) continue;
      tasks.push(check(meta, t.tls, (signal) => tlsHandshake(proxy ? s.host : ip(s.host)!, s.port, {
        deadlineMs: t.tls, signal, servername: s.host, ...(ca ? { ca } : {}), ...(proxy ? { proxy } : {}),
      }).then((o) => (proxy ? { ...o, evidence: { ...o.evidence, proxy: proxy.url } } : o))));
    }
    for (const s of profile.stun) {
      const meta: CheckMeta = { id: checkId.stun('udp', s.host, s.port), kind: 'stun', transport: 'udp', host: s.host, port: s.port };
      if (needName(meta, s.host)) tasks.push(check(meta, t.stun, (signal) => stunCheck(ip(s.host)!, s.port, { deadlineMs: t.stun, signal })));
    }
    for (const s of profile.turn) {
      const meta: CheckMeta = { id: checkId.turn(s.transport, s.host, s.port), kind: 'turn', transport: s.transport, host: s.host, port: s.port };
      const viaProxy = s.transport !== 'udp' && proxy !== null;
      if (!viaProxy && !needName(meta, s.host)) continue;
      tasks.push(check(meta, t.turn, (signal) => turnCheck(s, viaProxy ? s.host : ip(s.host)!, {
        deadlineMs: t.turn, signal, credentials: creds, ...(ca ? { ca } : {}), ...(viaProxy && proxy ? { proxy } : {}),
      })));
    }
    const udpTurn = profile.turn.find((x) => x.transport === 'udp');
    if (udpTurn) {
      const meta: CheckMeta = { id: checkId.relay(udpTurn.host, udpTurn.port), kind: 'relay', transport: 'udp', host: udpTurn.host, port: udpTurn.port };
      if (creds && needName(meta, udpTurn.host)) tasks.push(check(meta, t.relay, (signal) => relayCheck(ip(udpTurn.host)!, udpTurn.port, creds, { deadlineMs: t.relay, signal })));
      else if (!creds && credentialError && wanted(meta.id)) record(skipped(meta, 'credentials-failed', 'Not run: the TURN credentials could not be obtained.'));
    }
    const natT = natTarget(profile);
    if (natT) {
      const meta: CheckMeta = { id: checkId.nat(natT.host, natT.port), kind: 'nat', transport: 'udp', host: natT.host, port: natT.port };
      if (needName(meta, natT.host)) {
        tasks.push(check(meta, t.nat, async (signal) => {
          const second = natSecondary(profile);
          const secondIp = second && ip(second.host);
          const r = await natCheck(ip(natT.host)!, natT.port, { deadlineMs: t.nat, signal, ...(second && secondIp ? { secondary: { host: secondIp, port: second.port } } : {}) });
          nat = r.nat;
          emit({ type: 'nat', runId, result: nat });
          return r.outcome;
        }));
      }
    }
    if (profile.reflector) {
      const refl = profile.reflector.host;
      const wantedRanges: Array<{ id: string; protocol: 'udp' | 'tcp'; required: Array<[number, number]> }> = [];
      if (rooms.includes('group') && profile.group) wantedRanges.push({ id: rangeId.group, protocol: 'udp', required: profile.group.udpPorts });
      if (rooms.includes('p2p') && profile.p2p) {
        wantedRanges.push({ id: rangeId.p2pUdp, protocol: 'udp', required: profile.p2p.udpPorts });
        if (profile.p2p.tcpPorts) wantedRanges.push({ id: rangeId.p2pTcp, protocol: 'tcp', required: profile.p2p.tcpPorts });
      }
      const reflIp = ip(refl);
      if (reflIp) {
        // UDP and TCP at the same time; within a protocol, one discovery answers every range.
        for (const protocol of ['udp', 'tcp'] as const) {
          const list = wantedRanges.filter((w) => w.protocol === protocol && wanted(w.id));
          tasks.push(measureRanges(protocol, list, refl, reflIp, { deadlineMs: t.range, probeDeadlineMs: t.rangeProbe, signal: run.signal })
            .then((results) => {
              for (const r of results) {
                ranges.push(r);
                emit({ type: 'range', runId, result: r });
              }
            }));
        }
      }
    }
    await Promise.all(tasks);
  } finally {
    clearTimeout(overall);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }

  const complete = !run.signal.aborted;
  const why = run.signal.reason instanceof DiagnosisError && run.signal.reason.code === 'cancelled' ? 'cancelled' : 'deadline';
  for (const p of planned) {
    if (p.kind === 'range' || results.has(p.id) || !wanted(p.id)) continue;
    const [kind] = p.id.split(':');
    record(skipped({ id: p.id, kind: (kind === 'tls' ? 'tls' : p.kind) as CheckMeta['kind'] }, why,
      why === 'cancelled' ? 'Not run: the diagnosis was cancelled.' : 'Not finished before the diagnosis deadline.'));
  }
  const checks = [...results.values(), ...(opts.extraChecks ?? [])];
  const firewall = opts.localFirewall === undefined ? () => detectLocalFirewall({ timeoutMs: 2000 }) : opts.localFirewall ?? undefined;
  // Runs after the deadline too (it explains what the deadline found), so it has a budget of its own.
  await within(refineLayers(checks, ranges, firewall), 2500, undefined);
  const proxyAuth = proxyAuthFacts(checks);
  if (proxyAuth && host?.proxy) host.proxy.auth = proxyAuth;
  const analysis = analyze({ profile, rooms, checks, ranges, nat, host: host!, complete });
  if (credentialError) analysis.findings.push({ code: 'credentials', severity: 'error', message: `TURN credentials could not be obtained: ${credentialError}` });
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: runId,
    tool: { name: 'pathcheck', version: TOOL_VERSION },
    profile: { id: profile.id, name: profile.name, ...(profile.notice ? { notice: profile.notice } : {}) },
    rooms,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    complete,
    host: host!,
    checks: orderLike(planned.map((p) => p.id), checks),
    ranges,
    nat,
    ...analysis,
  };
  emit({ type: 'done', runId, report });
  return report;
}
/** `p`, or `fallback` when it fails or takes longer than `ms`. */
function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([p.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/**
 * The proxy a browser would use for TURN over TCP/TLS: Electron's resolveProxy in the app,
 * the environment (HTTPS_PROXY, NO_PROXY) from the CLI.
 */
async function chooseProxy(profile: Profile, opts: DiagnoseOptions): Promise<ProxyChoice | null> {
  const url = firstTlsUrl(profile);
  if (opts.resolveProxy) {
    const answer = await opts.resolveProxy(url).catch(() => 'DIRECT');
    const m = /^(?:PROXY|HTTPS)\s+([^\s;:]+):(\d+)/.exec(answer.trim());
    if (m) return { host: m[1]!, port: Number(m[2]), url: `http://${m[1]}:${m[2]}`, source: 'system (resolveProxy)' };
    return null;
  }
  return proxyFromEnv(opts.env ?? process.env, url);
}

function firstTlsUrl(profile: Profile): string {
  const t = profile.turn.find((x) => x.transport === 'tls') ?? profile.signaling[0];
  return t ? `https://${t.host}:${t.port}` : 'https://example.com';
}

/** Report order = plan order (what a person reads top to bottom), extras at the end. */
function orderLike(ids: string[], checks: CheckResult[]): CheckResult[] {
  const pos = new Map(ids.map((id, i) => [id, i]));
  return [...checks].sort((a, b) => (pos.get(a.id) ?? 1e9) - (pos.get(b.id) ?? 1e9));
}
