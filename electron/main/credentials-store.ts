import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialsStatus, SavedCredentialInfo } from '../common/ipc/credentials';
import { CredentialsSchema, type Credentials } from '../common/profile/schema';

/**
 * Secrets the user typed for a profile (TURN username/credential, TURN REST secret, Twilio auth
 * token), kept between runs with Electron's safeStorage: encrypted with a key from the OS keychain
 * (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux) and written to one file per
 * profile under userData/credentials. Nothing is ever written in plain text: when safeStorage has
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

export interface CredentialStore {
  status(profileId: string): CredentialsStatus;
  save(profileId: string, credentials: Credentials): SaveResult;
  /** The remembered credentials, or null (none, unreadable, or the keychain changed). */
  load(profileId: string): Credentials | null;
  forget(profileId: string): boolean;
}

const PROFILE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

interface StoredEntry {
  v: 1;
  savedAt: string;
  credentials: Credentials;
}

/** Why secrets cannot be kept here, or null when safeStorage is backed by a real keychain. */
export function storageUnavailableReason(safeStorage: SafeStorageLike, platform: string = process.platform): string | null {
  let available: boolean;
  try {
    available = safeStorage.isEncryptionAvailable();
  } catch {
    available = false;
  }
  if (!available) return 'This system offers no encrypted storage (OS keychain) to Pathcheck, so credentials are used for this run only and not remembered.';
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
    case 'none': return null;
    case 'static': return { type: 'static', label: c.username, savedAt };
    case 'turn-rest': return { type: 'turn-rest', ...(c.user ? { label: c.user } : {}), savedAt };
    case 'twilio-nts': return { type: 'twilio-nts', label: c.accountSid, savedAt };
  }
}

export function createCredentialStore(options: { dir: string; safeStorage: SafeStorageLike; platform?: string; now?: () => Date }): CredentialStore {
  const { dir, safeStorage } = options;
  const platform = options.platform ?? process.platform;
  const now = options.now ?? (() => new Date());
  const fileOf = (profileId: string) => {
    if (!PROFILE_ID.test(profileId)) throw new Error(`invalid profile id: ${profileId}`);
    return join(dir, `${profileId}.bin`);
  };

  const read = (profileId: string): StoredEntry | null => {
    const file = fileOf(profileId);
    if (storageUnavailableReason(safeStorage, platform)) return null;
    let blob: Buffer;
    try {
      blob = readFileSync(file);
    } catch {
      return null;
    }
    try {
      const entry = JSON.parse(safeStorage.decryptString(blob)) as StoredEntry;
      const parsed = CredentialsSchema.safeParse(entry?.credentials);
      if (entry?.v !== 1 || !parsed.success || parsed.data.type === 'none') return null;
      return { v: 1, savedAt: String(entry.savedAt), credentials: parsed.data };
    } catch {
      // A keychain reset or a copied profile directory: the blob cannot be decrypted; treat as absent.
      return null;
    }
  };

  return {
    status(profileId) {
      const reason = storageUnavailableReason(safeStorage, platform);
      const entry = reason ? null : read(profileId);
      return {
        storage: reason ? { available: false, reason } : { available: true },
        saved: entry ? describe(entry.credentials, entry.savedAt) : null,
      };
    },

    save(profileId, credentials) {
      const reason = storageUnavailableReason(safeStorage, platform);
      if (reason) return { ok: false, reason };
      if (credentials.type === 'none') return { ok: false, reason: 'There is nothing to remember.' };
      const file = fileOf(profileId);
      const entry: StoredEntry = { v: 1, savedAt: now().toISOString(), credentials };
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

    load(profileId) {
      return read(profileId)?.credentials ?? null;
    },

    forget(profileId) {
      const file = fileOf(profileId);
      try {
        readFileSync(file);
      } catch {
        return false;
      }
      rmSync(file, { force: true });
      return true;
    },
  };
}
