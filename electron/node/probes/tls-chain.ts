import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';

/**
 * Certificate-chain inspection shared by the TLS probe and the TURN-TLS client: describe what the
 * peer presented, verify it against system roots plus the profile's own CA, and classify the
 * result (pass / tls-intercepted / tls-hostname-mismatch). Pure except for reading a TLSSocket.
 */

/** One certificate as shown in the report. */
export interface ChainCert {
  subject: string;
  issuer: string;
  subjectCN: string | null;
  issuerCN: string | null;
  issuerO: string | null;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  selfSigned: boolean;
}

/** What a completed handshake showed; input of classifyTls. */
export interface TlsInspection {
  protocol: string | null;
  cipher: string | null;
  alpnProtocol: string | null;
  chain: ChainCert[];
  /** Chain verified against system roots + profile CA (Node's own verification with that `ca`). */
  authorized: boolean;
  authorizationError: string | null;
  /** tls.checkServerIdentity message, or null when the name matches. */
  hostnameError: string | null;
  /** The name checked against the certificate (SNI name, or the IP). */
  checkedName: string;
}

type DN = Record<string, string | string[] | undefined> | undefined;

function dnField(dn: DN, key: string): string | null {
  const v = dn?.[key];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

function dnString(dn: DN): string {
  if (!dn) return '';
  return Object.entries(dn)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

/**
 * The chain the peer presented, leaf first, as plain data for the report. Walks
 * getPeerCertificate(true).issuerCertificate until it loops back on itself (a root) or ends.
 */
export function describeChain(sock: tls.TLSSocket): ChainCert[] {
  const out: ChainCert[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = sock.getPeerCertificate(true) as tls.DetailedPeerCertificate;
  while (cert && Object.keys(cert).length > 0 && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const subject = cert.subject as unknown as DN;
    const issuer = cert.issuer as unknown as DN;
    const subjectStr = dnString(subject);
    const issuerStr = dnString(issuer);
    let selfSigned = subjectStr === issuerStr;
    if (selfSigned && cert.raw) {
      try {
        selfSigned = new X509Certificate(cert.raw).verify(new X509Certificate(cert.raw).publicKey);
      } catch {
        /* keep name check */
      }
    }
    out.push({
      subject: subjectStr,
      issuer: issuerStr,
      subjectCN: dnField(subject, 'CN'),
      issuerCN: dnField(issuer, 'CN'),
      issuerO: dnField(issuer, 'O'),
      validFrom: cert.valid_from,
      validTo: cert.valid_to,
      fingerprint256: cert.fingerprint256,
      selfSigned,
    });
    cert = cert.issuerCertificate;
  }
  return out;
}

/**
 * Reads everything classifyTls needs from a socket whose handshake completed. The socket must
 * have been opened with `rejectUnauthorized: false`, `checkServerIdentity: () => undefined` and
 * `secureContext: tlsSecureContext(ca)`, so `authorized` reflects only the chain's trust (system
 * roots plus the profile CA) while we still get to look at the chain; the name is checked here.
 */
export function inspectTlsSocket(sock: tls.TLSSocket, checkedName: string): TlsInspection {
  const leaf = sock.getPeerCertificate();
  let hostnameError: string | null = null;
  if (leaf && Object.keys(leaf).length > 0) {
    const err = tls.checkServerIdentity(checkedName, leaf);
    if (err) hostnameError = err.message;
  } else {
    hostnameError = 'The server presented no certificate';
  }
  const authErr = sock.authorizationError as unknown;
  return {
    protocol: sock.getProtocol() ?? null,
    cipher: sock.getCipher()?.name ?? null,
    alpnProtocol: typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : null,
    chain: describeChain(sock),
    authorized: sock.authorized,
    authorizationError:
      authErr == null
        ? null
        : authErr instanceof Error
          ? ((authErr as Error & { code?: string }).code ?? authErr.message)
          : String(authErr),
    hostnameError,
    checkedName,
  };
}

const contexts = new Map<string, tls.SecureContext>();

/**
 * A SecureContext trusting the system roots plus `ca` (the profile's private CA, PEM). Node's
 * `ca` option REPLACES the default roots, hence the explicit spread of tls.rootCertificates.
 * Cached per CA text: parsing ~150 roots per connection would dominate a probe's cost.
 */
export function tlsSecureContext(ca?: string): tls.SecureContext {
  const key = ca ?? '';
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca: ca ? [...tls.rootCertificates, ca] : [...tls.rootCertificates] });
    contexts.set(key, ctx);
  }
  return ctx;
}

/** Errors meaning "expired / not yet valid" rather than "signed by someone we do not trust". */
const VALIDITY_ERRORS = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);

/** Who signed the leaf, in words: issuer CN, else issuer O, else the raw issuer DN. */
export function signerName(chain: readonly ChainCert[]): string {
  const leaf = chain[0];
  if (!leaf) return 'an unknown issuer';
  return leaf.issuerCN ?? leaf.issuerO ?? (leaf.issuer || 'an unknown issuer');
}

/**
 * Classifies a completed handshake. Untrusted chain while TCP connected → `tls-intercepted`
 * naming the signer (a middlebox re-signs traffic); trusted chain for another name →
 * `tls-hostname-mismatch`; expired/not-yet-valid → `tls-failed`; otherwise `ok`.
 */
export function classifyTls(
  ev: Pick<TlsInspection, 'chain' | 'authorized' | 'authorizationError' | 'hostnameError'>,
  target = 'the server',
): {
  status: 'pass' | 'fail';
  reason: 'ok' | 'tls-intercepted' | 'tls-hostname-mismatch' | 'tls-failed';
  detail: string;
} {
  // A socket opened without our checkServerIdentity override reports a name mismatch as an
  // authorization error; that is still a name problem, not interception.
  const nameOnly = !ev.authorized && ev.authorizationError === 'ERR_TLS_CERT_ALTNAME_INVALID';
  if (!ev.authorized && !nameOnly) {
    const code = ev.authorizationError ?? 'UNKNOWN';
    if (VALIDITY_ERRORS.has(code)) {
      const leaf = ev.chain[0];
      return {
        status: 'fail',
        reason: 'tls-failed',
        detail: `The certificate of ${target} is outside its validity period (${code}${leaf ? `, valid ${leaf.validFrom} – ${leaf.validTo}` : ''}); check the server's certificate and this computer's clock.`,
      };
    }
    return {
      status: 'fail',
      reason: 'tls-intercepted',
      detail: `TLS to ${target} is re-signed by “${signerName(ev.chain)}” — a TLS-inspecting proxy or firewall sits in the path (${code}).`,
    };
  }
  if (ev.hostnameError || nameOnly) {
    const leaf = ev.chain[0];
    return {
      status: 'fail',
      reason: 'tls-hostname-mismatch',
      detail: `${target} presented a trusted certificate issued for a different name${leaf?.subjectCN ? ` (“${leaf.subjectCN}”)` : ''}.`,
    };
  }
  return { status: 'pass', reason: 'ok', detail: `TLS to ${target} works and its certificate is trusted.` };
}
