import { checkId } from '#common/analysis/ids';
import type { WebrtcPlan, WebrtcServer } from '#common/ipc/diagnosis';
import type { Profile } from '#common/profile/schema';
import type { CheckResult } from '#common/report/schema';
import { judge } from '#common/quality/grade';
import { qualityId, qualityRates, type QualityRates, type QualityResult } from '#common/quality/schema';

/** Resolves the STUN/TURN names of a profile (first address each, IPv4 preferred); names that fail are left out. */
export async function resolveIceHosts(
  profile: Profile,
  lookup: (host: string) => Promise<string>,
  deadlineMs = 2000,
): Promise<Map<string, string>> {
  const names = [
    ...new Set([
      ...profile.stun.map((s) => s.host),
      ...profile.turn.filter((t) => t.transport !== 'tls').map((t) => t.host),
    ]),
  ];
  const out = new Map<string, string>();
  await Promise.all(
    names.map(async (name) => {
      if (/^[\d.]+$/.test(name) || name.includes(':')) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), deadlineMs)));
      const address = await Promise.race([lookup(name).catch(() => null), late]);
      clearTimeout(timer);
      if (address) out.set(name, address);
    }),
  );
  return out;
}

/** Defaults of the renderer's WebRTC suite; sized so that it finishes alongside the engine (~10 s). */
export const WEBRTC_DEFAULTS = {
  connectDeadlineMs: 6000,
  streamMs: 3000,
  packetRate: 50,
  qualityDirectionMs: 1500,
} as const;

/** `[v6]` in URLs, plain names and v4 addresses as they are. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The ICE servers of a profile as the suite tests them, one URL each: STUN as `stun:`, TURN over
 * UDP/TCP as `turn:…?transport=`, TURN over TLS as `turns:…?transport=tcp` (RFC 7065). Each carries
 * the check id its result must use, so main can refuse results for servers it never handed out.
 *
 * `addresses` (name → address, resolved by main) pins STUN and TURN over UDP/TCP to the address
 * main resolved, so the browser and the engine test the same server of a round-robin name, and the
 * browser's own UDP host lookup (which, unlike its TCP path, ignores /etc/hosts in a network
 * namespace) is not in the way. TURN over TLS keeps the name: the certificate is checked against it.
 */
export function webrtcServers(profile: Profile, addresses: ReadonlyMap<string, string> = new Map()): WebrtcServer[] {
  const out: WebrtcServer[] = [];
  const at = (host: string) => urlHost(addresses.get(host) ?? host);
  for (const s of profile.stun) {
    out.push({
      checkId: checkId.webrtcGather('stun', s.host, s.port),
      kind: 'stun',
      transport: 'udp',
      host: s.host,
      port: s.port,
      url: `stun:${at(s.host)}:${s.port}`,
    });
  }
  for (const t of profile.turn) {
    const url =
      t.transport === 'tls'
        ? `turns:${urlHost(t.host)}:${t.port}?transport=tcp`
        : `turn:${at(t.host)}:${t.port}?transport=${t.transport}`;
    out.push({
      checkId: checkId.webrtcRelay(t.transport, t.host, t.port),
      gatherId: checkId.webrtcGather(t.transport, t.host, t.port),
      kind: 'turn',
      transport: t.transport,
      host: t.host,
      port: t.port,
      url,
    });
  }
  return out;
}

export function webrtcPlan(
  runId: string,
  profile: Profile,
  credentials: { username: string; credential: string } | null,
  credentialsError: string | undefined,
  options: Partial<Pick<WebrtcPlan, 'connectDeadlineMs' | 'streamMs' | 'packetRate'>> & {
    qualityDirectionMs?: number | null;
  } = {},
  addresses: ReadonlyMap<string, string> = new Map(),
): WebrtcPlan {
  const rates = qualityRates(profile.quality);
  const directionMs =
    options.qualityDirectionMs === undefined ? WEBRTC_DEFAULTS.qualityDirectionMs : options.qualityDirectionMs;
  return {
    runId,
    servers: webrtcServers(profile, addresses),
    ...(credentials ? { credentials: { username: credentials.username, credential: credentials.credential } } : {}),
    ...(credentialsError ? { credentialsError } : {}),
    connectDeadlineMs: options.connectDeadlineMs ?? WEBRTC_DEFAULTS.connectDeadlineMs,
    streamMs: options.streamMs ?? WEBRTC_DEFAULTS.streamMs,
    packetRate: options.packetRate ?? WEBRTC_DEFAULTS.packetRate,
    direct: Boolean(profile.p2p),
    ...(credentials && directionMs !== null ? { quality: { directionMs, targetKbps: rates.hdVideoKbps, rates } } : {}),
  };
}

const QUALITY_PATH = { udp: 'turn-udp', tcp: 'turn-tcp', tls: 'turn-tls' } as const;

/**
 * Keeps only the page's quality entries for TURN servers of this plan (one each), with path, host,
 * port, sensor and method from the plan, and grade, MOS and limitedBy judged again here from the
 * numbers with the profile's rates: the page reports what it measured; main decides what it means.
 */
export function acceptWebrtcQuality(
  plan: WebrtcPlan,
  entries: readonly QualityResult[],
  rates: QualityRates,
): { accepted: QualityResult[]; rejected: string[] } {
  const known = new Map(
    plan.servers
      .filter((s) => s.kind === 'turn')
      .map((s) => [qualityId(QUALITY_PATH[s.transport], s.host, s.port, 'webrtc'), s]),
  );
  const accepted: QualityResult[] = [];
  const rejected: string[] = [];
  for (const e of entries) {
    const s = known.get(e.id);
    if (!s || accepted.some((a) => a.id === e.id)) {
      rejected.push(e.id);
      continue;
    }
    const j = judge(e, rates);
    accepted.push({
      ...e,
      path: QUALITY_PATH[s.transport],
      host: s.host,
      port: s.port,
      sensor: 'webrtc',
      method: 'webrtc-call',
      grade: j.grade,
      mos: j.mos,
      limitedBy: j.limitedBy,
    });
  }
  return { accepted, rejected };
}

/**
 * Keeps only the submitted checks that belong to servers of this plan, with host/port/transport
 * and which test it was taken from the plan (main's own data), so a page cannot make a check claim
 * another server or another test.
 */
export function acceptWebrtcChecks(
  plan: WebrtcPlan,
  checks: CheckResult[],
): { accepted: CheckResult[]; rejected: string[] } {
  const known = new Map<string, WebrtcServer | null>();
  for (const s of plan.servers) {
    known.set(s.checkId, s);
    if (s.gatherId) known.set(s.gatherId, s);
  }
  if (plan.direct) known.set(checkId.webrtcDirect(), null);
  const accepted: CheckResult[] = [];
  const rejected: string[] = [];
  const seen = new Set<string>();
  for (const c of checks) {
    if (!known.has(c.id) || seen.has(c.id)) {
      rejected.push(c.id);
      continue;
    }
    seen.add(c.id);
    const s = known.get(c.id);
    if (!s) {
      const { transport: _t, host: _h, port: _p, ...rest } = c;
      accepted.push({ ...rest, kind: 'webrtc', webrtcTest: 'direct' });
    } else {
      const webrtcTest = c.id === s.gatherId ? 'relay-gather' : s.kind === 'stun' ? 'stun-gather' : 'relay';
      accepted.push({ ...c, kind: 'webrtc', webrtcTest, transport: s.transport, host: s.host, port: s.port });
    }
  }
  return { accepted, rejected };
}
