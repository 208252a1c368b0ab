import { createHmac } from 'node:crypto';
import { request } from 'node:https';
import type { Credentials } from '#common/profile/schema';
import type { TurnCredentials } from '../stun/turn';

/** The long-term credential pair TURN needs (RFC 8489 §9.2), with where it came from. */
export interface ObtainedCredentials extends TurnCredentials {
  /** Where they came from, for the report (never the secret itself). */
  source: 'static' | 'turn-rest' | 'twilio-nts' | 'cli';
  /** ICE server URLs a token API returned (Twilio NTS), for the report and the WebRTC suite. */
  urls?: string[];
  expiresAt?: string;
}

export class CredentialsError extends Error {
  constructor(
    readonly code: 'nts-auth' | 'nts-http' | 'nts-format' | 'nts-network' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/**
 * TURN REST credentials as coturn's `use-auth-secret` expects (draft-uberti-behave-turn-rest-00):
 * username = `<unix expiry>[:<user>]`, credential = base64(HMAC-SHA1(secret, username)).
 */
export function turnRestCredentials(
  secret: string,
  ttlSeconds: number,
  user?: string,
  now = Date.now(),
): ObtainedCredentials {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = user ? `${expiry}:${user}` : String(expiry);
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, source: 'turn-rest', expiresAt: new Date(expiry * 1000).toISOString() };
}

interface NtsOptions {
  deadlineMs: number;
  signal?: AbortSignal;
  /** Extra trusted CA (tests run a local HTTPS server that behaves like the API). */
  ca?: string;
}

/**
 * Twilio Network Traversal Service: POST /2010-04-01/Accounts/{sid}/Tokens.json with HTTP basic auth;
 * the answer's `ice_servers[]` carries urls/username/credential (older answers: `url`).
 */
export function twilioNtsCredentials(
  c: Extract<Credentials, { type: 'twilio-nts' }>,
  opts: NtsOptions,
): Promise<ObtainedCredentials> {
  const base = new URL(c.apiBase ?? 'https://api.twilio.com');
  const path = `/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}/Tokens.json`;
  const auth = Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port || 443,
        path,
        method: 'POST',
        headers: {
          Authorization: `Basic ${auth}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': 0,
        },
        ...(opts.ca ? { ca: opts.ca } : {}),
        signal: opts.signal,
        timeout: opts.deadlineMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > 256 * 1024) req.destroy(new CredentialsError('nts-format', 'The token API answer is too large.'));
          else chunks.push(d);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 401 || status === 403)
            return reject(
              new CredentialsError('nts-auth', `Twilio refused the Account SID / auth token (HTTP ${status}).`),
            );
          if (status < 200 || status >= 300)
            return reject(new CredentialsError('nts-http', `The Twilio token API answered HTTP ${status}.`));
          try {
            resolve(parseNtsToken(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          } catch (e) {
            reject(
              e instanceof CredentialsError
                ? e
                : new CredentialsError(
                    'nts-format',
                    `The token API answer is not the expected JSON: ${(e as Error).message}`,
                  ),
            );
          }
        });
      },
    );
    const timer = setTimeout(
      () =>
        req.destroy(
          new CredentialsError('timeout', `The Twilio token API did not answer within ${opts.deadlineMs} ms.`),
        ),
      opts.deadlineMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) =>
      reject(
        e instanceof CredentialsError
          ? e
          : new CredentialsError('nts-network', `Could not reach the Twilio token API: ${e.message}`),
      ),
    );
    req.end();
  });
}

/** Pulls the TURN username/credential and URLs out of a Tokens.json answer. */
export function parseNtsToken(body: unknown): ObtainedCredentials {
  const servers = (body as { ice_servers?: unknown })?.ice_servers;
  if (!Array.isArray(servers))
    throw new CredentialsError('nts-format', 'The token API answer has no ice_servers list.');
  const urls: string[] = [];
  let username: string | undefined;
  let credential: string | undefined;
  for (const s of servers as Array<Record<string, unknown>>) {
    const u = s.urls ?? s.url;
    for (const url of Array.isArray(u) ? u : [u]) if (typeof url === 'string') urls.push(url);
    if (typeof s.username === 'string' && typeof s.credential === 'string') {
      username ??= s.username;
      credential ??= s.credential;
    }
  }
  if (!username || !credential)
    throw new CredentialsError('nts-format', 'The token API answer carries no TURN username/credential.');
  const ttl = Number((body as { ttl?: unknown }).ttl);
  return {
    username,
    credential,
    source: 'twilio-nts',
    urls,
    ...(Number.isFinite(ttl) && ttl > 0 ? { expiresAt: new Date(Date.now() + ttl * 1000).toISOString() } : {}),
  };
}

/** Resolves a profile's credentials into a TURN pair (or null when the profile has none). */
export async function resolveCredentials(c: Credentials, opts: NtsOptions): Promise<ObtainedCredentials | null> {
  switch (c.type) {
    case 'none':
      return null;
    case 'static':
      return { username: c.username, credential: c.credential, source: 'static' };
    case 'turn-rest':
      return turnRestCredentials(c.secret, c.ttlSeconds, c.user);
    case 'twilio-nts':
      return twilioNtsCredentials(c, opts);
  }
}
