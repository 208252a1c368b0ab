import { z } from 'zod';

/**
 * `credentials` domain: what the user typed for a profile (TURN username/credential, TURN REST
 * secret, Twilio Account SID + auth token) can be remembered in main with Electron safeStorage.
 * The page can ask whether something is remembered and forget it; it never reads a secret back.
 * Saving happens with `diagnosis:start` (`remember: true`), so a secret crosses IPC only to be used.
 */
export const CredentialsChannel = {
  status: 'credentials:status',
  forget: 'credentials:forget',
} as const;

const profileId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a profile id');

export const CredentialsStatusRequestSchema = z.strictObject({ profileId });
export const CredentialsForgetRequestSchema = z.strictObject({ profileId });

/** A remembered credential, described without its secret. */
export interface SavedCredentialInfo {
  type: 'static' | 'turn-rest' | 'twilio-nts';
  /** TURN username, TURN REST user part, or Twilio Account SID: not secret, shown so the user knows which. */
  label?: string;
  savedAt: string;
}

export interface CredentialsStatus {
  /** Whether secrets can be kept at all (safeStorage with a real OS keychain). */
  storage: { available: true } | { available: false; reason: string };
  saved: SavedCredentialInfo | null;
}

export interface CredentialsForgotten {
  forgotten: boolean;
}
