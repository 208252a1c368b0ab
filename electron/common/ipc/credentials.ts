import { z } from 'zod';
import { ProfileSchema } from '../profile/schema';

/**
 * `credentials` domain: what the user typed for a profile (TURN username/credential, TURN REST
 * secret, Twilio Account SID + auth token) can be remembered in main with Electron safeStorage.
 * The page can ask whether something is remembered for a profile and forget it; it never reads a secret back.
 * Saving happens with `diagnosis:start` (`remember: true`), so a secret crosses IPC only to be used.
 */
export const CredentialsChannel = {
  status: 'credentials:status',
  forget: 'credentials:forget',
} as const;

const profileId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a profile id');

/**
 * Which profile the question is about: a built-in one by id, or an imported one as a whole. Main
 * keys secrets by what they unlock (the profile's TURN servers, the credential kind, the token API),
 * so an imported profile that reuses a built-in id but names other servers sees nothing remembered.
 * `parameters` fill in the profile's `${name}` placeholders (the servers are only known then).
 */
const parameters = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a parameter name'), z.string().max(253))
  .optional();
export const CredentialsTargetSchema = z.union([
  z.strictObject({ profileId, parameters }),
  z.strictObject({ profile: ProfileSchema, parameters }),
]);
export type CredentialsTarget = z.input<typeof CredentialsTargetSchema>;

export const CredentialsStatusRequestSchema = CredentialsTargetSchema;
export const CredentialsForgetRequestSchema = CredentialsTargetSchema;

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
