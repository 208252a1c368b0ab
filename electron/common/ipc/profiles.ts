import { z } from 'zod';
import type { FieldError, Profile } from '../profile/schema';

/** `profiles` domain: the built-in provider profiles, and validation of imported ones. */
export const ProfilesChannel = {
  list: 'profiles:list',
  validate: 'profiles:validate',
  /** The built-in profile's published address ranges: `refresh: true` fetches them now (the user asked). */
  ranges: 'profiles:ranges',
} as const;

/** `profiles:list` takes no payload. */
export const ProfilesListRequestSchema = z.undefined();

/** One entry of the picker: the fields it shows, plus the whole validated profile. */
export interface ProfileEntry {
  id: string;
  name: string;
  /** Written by main for today: the end-of-service sentence (from `endOfService`) and the profile's own notice. */
  notice?: string;
  /** The provider's service has ended: never the default; kept for diagnosing existing deployments. */
  ended?: boolean;
  description?: string;
  profile: Profile;
}

/** Largest profile text accepted for validation; the biggest built-in profile is ~2 KB. */
export const MAX_PROFILE_TEXT = 256 * 1024;

export const ProfilesValidateRequestSchema = z.strictObject({
  text: z.string().max(MAX_PROFILE_TEXT, `must be at most ${MAX_PROFILE_TEXT} characters`),
});
export type ProfilesValidateRequest = z.infer<typeof ProfilesValidateRequestSchema>;

/** A profile that does not validate is an answer (with field errors), not an IPC failure. */
export type ProfileValidation = { valid: true; profile: Profile } | { valid: false; errors: FieldError[] };

/**
 * `profiles:ranges`: where a built-in profile's address ranges come from. Without `refresh` main
 * only reads its cache; with `refresh: true` (the user pressed "Update", which is the consent) it
 * fetches the profile's own feed URL — never a URL from the page — through the system proxy.
 */
export const ProfilesRangesRequestSchema = z.strictObject({
  profileId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a profile id'),
  refresh: z.boolean().optional(),
});

export interface ProfileRanges {
  /** The profile's feed, or null when it names none. */
  feed: { url: string } | null;
  /** The cached ranges' fetch time (ISO-8601) and counts, or null when never fetched. */
  cached: { fetchedAt: string; ipv4: number; ipv6: number } | null;
  /** When a refresh was asked for and failed: why (the cached ranges, if any, stay in use). */
  refreshError?: string;
}
