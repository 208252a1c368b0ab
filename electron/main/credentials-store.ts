import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialsStatus, SavedCredentialInfo } from '#common/ipc/credentials';
import { CredentialsSchema, type Credentials, type Profile } from '#common/profile/schema';

/**
 * Secrets the user typed for a profile (TURN username/credential, TURN REST secret, Twilio auth
 * token), kept between runs with Electron's safeStorage: encrypted with a key from the OS keychain
 * (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux) and written to one file per
 * scope under userData/credentials.
 *
 * A secret is keyed by what it unlocks — the credential kind, the TURN servers it authenticates
 * to, and for a Twilio token the API it is sent to — never by a profile's id, which any imported
 * profile can reuse. So a profile whose servers differ is never offered (or sent) a secret saved for
 * another, and a secret saved from a built-in profile is never replaced from an imported one. Nothing is ever written in plain text: when safeStorage has
 * no real keychain behind it, the store refuses to save and says why.
 */

/** The part of Electron's `safeStorage` this module uses (so tests can pass the shared mock). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: `basic_text` means "encrypted" with a hard-coded password, i.e. not protected at all. */
  getSelectedStorageBackend?(): string;
}

export type SaveResult = { ok: true } | { ok: false; reason: string };

export type SecretKind = Exclude<Credentials['type'], 'none'>;

/** What a secret unlocks. Two scopes are the same secret slot exactly when their keys are equal. */
export interface SecretScope {
  kind: SecretKind;
  /** `transport:host:port` of every TURN server, lower-cased, sorted, distinct. */
  turn: string[];
  /** Twilio NTS only: the token API the auth token is sent to. */
  apiBase?: string;
}

/** Who asked to remember: a built-in profile's secret is never replaced from an imported profile. */
export type SecretOrigin = 'builtin' | 'imported';

export const TWILIO_API_BASE = 'https://api.twilio.com';
const KINDS: SecretKind[] = ['static', 'turn-rest', 'twilio-nts'];

function canonicalApiBase(url: string | undefined): string {
  try {
    return new URL(url ?? TWILIO_API_BASE).href;
  } catch {
    return url ?? TWILIO_API_BASE;
  }
}

function turnOf(profile: Pick<Profile, 'turn'>): string[] {
  return [...new Set(profile.turn.map((t) => `${t.transport}:${t.host.toLowerCase()}:${t.port}`))].sort();
}

/** The scope a credential used with this profile unlocks (what `remember` saves under). */
export function scopeOf(
  profile: Pick<Profile, 'turn'>,
  credentials: Exclude<Credentials, { type: 'none' }>,
): SecretScope {
  return {
    kind: credentials.type,
    turn: turnOf(profile),
    ...(credentials.type === 'twilio-nts' ? { apiBase: canonicalApiBase(credentials.apiBase) } : {}),
  };
}

/**
 * Every scope a remembered secret could have to be offered to this profile, the profile's own
 * credential kind first. A Twilio token is looked up for the API the profile names (or Twilio's).
 * A profile without TURN servers has nothing a TURN secret could unlock.
 */
export function scopesFor(profile: Pick<Profile, 'turn' | 'credentials'>): SecretScope[] {
  if (profile.turn.length === 0) return [];
  const own = profile.credentials.type;
  const apiBase = canonicalApiBase(profile.credentials.type === 'twilio-nts' ? profile.credentials.apiBase : undefined);
  return [...KINDS]
    .sort((a, b) => Number(b === own) - Number(a === own))
    .map((kind) => ({ kind, turn: turnOf(profile), ...(kind === 'twilio-nts' ? { apiBase } : {}) }));
}

export function scopeKey(scope: SecretScope): string {
  return JSON.stringify({ kind: scope.kind, turn: [...scope.turn].sort(), apiBase: scope.apiBase ?? null });
}

export interface CredentialStore {
  /** Whether secrets can be kept, and the first remembered secret among `scopes` (described, never the secret). */
  status(scopes: SecretScope[]): CredentialsStatus;
  save(scope: SecretScope, credentials: Credentials, origin: SecretOrigin): SaveResult;
  /** The first remembered credentials among `scopes`, or null (none, unreadable, or the keychain changed). */
  load(scopes: SecretScope[]): Credentials | null;
  /** Forgets every secret among `scopes`; true when one was there. */
  forget(scopes: SecretScope[]): boolean;
}

interface StoredEntry {
  v: 2;
  savedAt: string;
  /** `scopeKey()` of the slot, checked on read: a file renamed into another slot is not used. */
  scope: string;
  origin: SecretOrigin;
  credentials: Credentials;
}

/** Why secrets cannot be kept here, or null when safeStorage is backed by a real keychain. */
export function storageUnavailableReason(
  safeStorage: SafeStorageLike,
  platform: string = process.platform,
): string | null {
  let available: boolean;
  try {
    available = safeStorage.isEncryptionAvailable();
  } catch {
    available = false;
  }
  if (!available)
    return 'This system offers no encrypted storage (OS keychain) to Pathcheck, so credentials are used for this run only and not remembered.';
  if (platform === 'linux') {
    let backend: string;
    try {
      backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    } catch {
      backend = 'unknown';
    }
    if (backend === 'basic_text' || backend === 'unknown') {
      return 'No desktop keyring (GNOME Keyring or KWallet) is running, so credentials are used for this run only and not remembered.';
    }
  }
  return null;
}

function describe(c: Credentials, savedAt: string): SavedCredentialInfo | null {
  switch (c.type) {
    case 'none':
      return null;
    case 'static':
      return { type: 'static', label: c.username, savedAt };
    case 'turn-rest':
      return { type: 'turn-rest', ...(c.user ? { label: c.user } : {}), savedAt };
    case 'twilio-nts':
      return { type: 'twilio-nts', label: c.accountSid, savedAt };
  }
}

export function createCredentialStore(options: {
  dir: string;
  safeStorage: SafeStorageLike;
  platform?: string;
  now?: () => Date;
}): CredentialStore {
  const { dir, safeStorage } = options;
  const platform = options.platform ?? process.platform;
  const now = options.now ?? (() => new Date());
  // The file name is a digest of the scope: no id or host from a profile ever becomes a path.
  const fileOf = (scope: SecretScope) =>
    join(dir, `${createHash('sha256').update(scopeKey(scope)).digest('hex').slice(0, 40)}.bin`);

  const read = (scope: SecretScope): StoredEntry | null => {
    if (storageUnavailableReason(safeStorage, platform)) return null;
    let blob: Buffer;
    try {
      blob = readFileSync(fileOf(scope));
    } catch {
      return null;
    }
    try {
      const entry = JSON.parse(safeStorage.decryptString(blob)) as StoredEntry;
      const parsed = CredentialsSchema.safeParse(entry?.credentials);
      if (entry?.v !== 2 || entry.scope !== scopeKey(scope) || !parsed.success || parsed.data.type !== scope.kind)
        return null;
      // A Twilio token is used only with the API it was saved for.
      if (parsed.data.type === 'twilio-nts' && canonicalApiBase(parsed.data.apiBase) !== scope.apiBase) return null;
      return {
        v: 2,
        savedAt: String(entry.savedAt),
        scope: entry.scope,
        origin: entry.origin === 'builtin' ? 'builtin' : 'imported',
        credentials: parsed.data,
      };
    } catch {
      // A keychain reset or a copied profile directory: the blob cannot be decrypted; treat as absent.
      return null;
    }
  };
  const first = (scopes: SecretScope[]): StoredEntry | null => {
    for (const scope of scopes) {
      const entry = read(scope);
      if (entry) return entry;
    }
    return null;
  };

  return {
    status(scopes) {
      const reason = storageUnavailableReason(safeStorage, platform);
      const entry = reason ? null : first(scopes);
      return {
        storage: reason ? { available: false, reason } : { available: true },
        saved: entry ? describe(entry.credentials, entry.savedAt) : null,
      };
    },

    save(scope, credentials, origin) {
      const reason = storageUnavailableReason(safeStorage, platform);
      if (reason) return { ok: false, reason };
      if (credentials.type === 'none') return { ok: false, reason: 'There is nothing to remember.' };
      if (scope.turn.length === 0)
        return {
          ok: false,
          reason: 'This profile names no TURN server, so there is nothing these credentials would unlock.',
        };
      if (credentials.type !== scope.kind)
        return { ok: false, reason: 'These credentials do not match what they would be remembered for.' };
      if (origin === 'imported' && read(scope)?.origin === 'builtin') {
        return {
          ok: false,
          reason:
            'Credentials remembered for a built-in profile with these servers are kept; an imported profile cannot replace them.',
        };
      }
      const file = fileOf(scope);
      const entry: StoredEntry = { v: 2, savedAt: now().toISOString(), scope: scopeKey(scope), origin, credentials };
      let blob: Buffer;
      try {
        blob = safeStorage.encryptString(JSON.stringify(entry));
      } catch (e) {
        return { ok: false, reason: `The OS keychain refused to encrypt the credentials: ${(e as Error).message}` };
      }
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, blob, { mode: 0o600 });
        renameSync(tmp, file);
      } catch (e) {
        return { ok: false, reason: `The credentials could not be written: ${(e as Error).message}` };
      }
      return { ok: true };
    },

    load(scopes) {
      return first(scopes)?.credentials ?? null;
    },

    forget(scopes) {
      let forgotten = false;
      for (const scope of scopes) {
        const file = fileOf(scope);
        try {
          readFileSync(file);
        } catch {
          continue;
        }
        rmSync(file, { force: true });
        forgotten = true;
      }
      return forgotten;
    },
  };
}
