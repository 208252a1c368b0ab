import type { CheckResult, ProxyAuth, Report, RoomType } from '../report/schema';

/**
 * A proxy that answers 407 wants credentials: that is sign-in, not a policy block. Browsers sign
 * in (Negotiate/NTLM with the user's login, or a prompt for Basic), so a relay through such a proxy
 * may well work for a real call. These functions keep that apart from "blocked at the proxy": the
 * failed checks say `proxy-auth-required`, and where no rung was shown to work, the verdict says
 * the proxy needs credentials instead of calling the network blocked.
 */

export const PROXY_AUTH_REASON = 'proxy-auth-required';

interface Challenge {
  proxy: string;
  schemes: string[];
  credentialsSent: boolean;
}

function challengeOf(c: CheckResult): Challenge | null {
  const a = c.evidence.proxyAuth;
  if (!a || typeof a !== 'object') return null;
  const { proxy, schemes, credentialsSent } = a as Record<string, unknown>;
  if (typeof proxy !== 'string') return null;
  return {
    proxy: proxy.slice(0, 300),
    schemes: Array.isArray(schemes) ? schemes.filter((s): s is string => typeof s === 'string').slice(0, 16) : [],
    credentialsSent: credentialsSent === true,
  };
}

/**
 * What the proxy asked for, from the checks that failed with `proxy-auth-required` (the first
 * challenge that names its proxy wins; schemes are the union, in order). Null when no proxy asked.
 */
export function proxyAuthOf(checks: CheckResult[]): (ProxyAuth & { checks: string[] }) | null {
  const asked = checks.filter((c) => c.status === 'fail' && c.reason === PROXY_AUTH_REASON);
  if (asked.length === 0) return null;
  const challenges = asked.map(challengeOf).filter((x): x is Challenge => x !== null);
  const schemes = [...new Set(challenges.flatMap((c) => c.schemes))];
  const out: ProxyAuth & { checks: string[] } = {
    required: true,
    scheme: schemes[0] ?? 'unknown',
    schemes,
    credentialsGiven: challenges.some((c) => c.credentialsSent),
    checks: asked.map((c) => c.id),
  };
  if (challenges[0]) out.proxy = challenges[0].proxy;
  return out;
}

/**
 * Whether the app's browser got through the proxy: one of its relay tests over TCP/TLS passed
 * (Chromium reaches the TURN server through the same proxy, signed in). Then a 407 the engine met
 * on the way to signaling is not what the client meets: the browser is signed in there too.
 */
export function browserSignedIn(checks: CheckResult[]): boolean {
  return checks.some(
    (c) =>
      c.kind === 'webrtc' &&
      c.id.startsWith('webrtc:relay:') &&
      (c.transport === 'tcp' || c.transport === 'tls') &&
      c.status === 'pass',
  );
}

const SUBJECT: Record<RoomType, string> = { group: 'Group calls', p2p: 'Peer-to-peer calls' };

/** "the proxy needs your credentials (10.0.0.1:3128 asks for Basic)". */
export function proxyAuthPhrase(auth: Pick<ProxyAuth, 'proxy' | 'schemes'>): string {
  const who = auth.proxy ?? 'it';
  const asked = auth.schemes.length
    ? ` (${who} asks for ${auth.schemes.join(', ')})`
    : auth.proxy
      ? ` (${auth.proxy})`
      : '';
  return `the proxy needs your credentials${asked}`;
}

/**
 * Rewords verdicts that found no working rung while a proxy asked for credentials: the path stays
 * `blocked` (nothing was shown to work), but the confidence is `inferred` and the summary says the
 * proxy needs credentials, since signing in may open TURN over TCP/TLS. Adds one finding. Mutates
 * `analysis`; leaves it untouched when no proxy asked.
 */
export function applyProxyAuth(analysis: Pick<Report, 'verdicts' | 'findings'>, checks: CheckResult[]): void {
  const auth = proxyAuthOf(checks);
  if (!auth) return;
  const phrase = proxyAuthPhrase(auth);
  const given = auth.credentialsGiven;
  for (const room of ['group', 'p2p'] as const) {
    const v = analysis.verdicts[room];
    if (!v || v.path !== 'blocked') continue;
    v.confidence = 'inferred';
    v.summary = given
      ? `${SUBJECT[room]} could not be confirmed: ${phrase}, and it rejected the ones given — with valid credentials, media may relay through it over TCP/TLS.`
      : `${SUBJECT[room]} could not be confirmed: ${phrase} — this is sign-in, not a block; once signed in, media may relay through it over TCP/TLS.`;
    v.notes.unshift(`Not blocked at the proxy: ${phrase}${given ? ' and rejected the ones given' : ''}.`);
  }
  analysis.findings.push({
    code: 'proxy-auth-required',
    severity: 'warn',
    message: given
      ? `${capital(phrase)} and rejected the ones given (${auth.checks.length} check${auth.checks.length === 1 ? '' : 's'}). Check the user name and password in the proxy URL.`
      : `${capital(phrase)}, and none were given (${auth.checks.length} check${auth.checks.length === 1 ? '' : 's'}). From the command line, put them in the proxy URL (http://user:password@proxy:port); the app's browser signs in itself.`,
  });
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The report's `host.proxy.auth`: what the proxy asked for, and — when the app's browser ran its
 * relay tests over TCP/TLS (which go through the same proxy, signed in by Chromium) — whether the
 * browser got through. Undefined when no proxy asked.
 */
export function proxyAuthFacts(checks: CheckResult[]): ProxyAuth | undefined {
  const found = proxyAuthOf(checks);
  if (!found) return undefined;
  const { checks: _ids, ...auth } = found;
  const browser = checks.filter(
    (c) =>
      c.kind === 'webrtc' &&
      c.id.startsWith('webrtc:relay:') &&
      (c.transport === 'tcp' || c.transport === 'tls') &&
      c.status !== 'skipped',
  );
  if (browser.length > 0) auth.browserAuthenticated = browser.some((c) => c.status === 'pass');
  return auth;
}
