import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isEnded, localDate } from '#common/profile/lifecycle';
import { needsParameters } from '#common/profile/parameters';
import { parseProfileJson, type Profile } from '#common/profile/schema';

/** Listed first while its service lasts; after its `endOfService` it moves to the end (docs/profiles.md). */
export const DEFAULT_PROFILE_ID = 'twilio-video';

/** The profile used when the user has not chosen one: the first of the list whose service has not ended. */
export function defaultProfile(profiles: Profile[], today: string = localDate()): Profile | undefined {
  return profiles.find((p) => !isEnded(p, today));
}

/**
 * Reads every `*.json` profile in `dir` (the built-in `resources/profiles`, or a packaged app's
 * `resources/profiles` extraResources copy) and validates each with the common schema.
 *
 * A built-in profile that does not validate is a bug in the product, not user input, so it is
 * refused loudly (the error names the file and the field) rather than silently left out: a picker
 * that quietly lost a provider would be worse than a visible error.
 *
 * Order, so every caller shows the same list: profiles whose service has not ended first (an ended
 * one is never the default), the default profile first among them, then those that run as they are
 * before those that ask for parameters, then by name. `today` is a local `YYYY-MM-DD` date.
 */
export async function listProfiles(dir: string, today: string = localDate()): Promise<Profile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const profiles: Profile[] = [];
  for (const file of files) {
    const parsed = parseProfileJson(await readFile(join(dir, file), 'utf8'));
    if (!parsed.ok) {
      const first = parsed.errors[0];
      throw new Error(
        `invalid built-in profile ${file}: ${first ? `${first.path}: ${first.message}` : 'unknown error'}`,
      );
    }
    if (profiles.some((p) => p.id === parsed.profile.id)) {
      throw new Error(`duplicate built-in profile id "${parsed.profile.id}" in ${file}`);
    }
    profiles.push(parsed.profile);
  }
  return profiles.sort(
    (a, b) =>
      Number(isEnded(a, today)) - Number(isEnded(b, today)) ||
      Number(b.id === DEFAULT_PROFILE_ID) - Number(a.id === DEFAULT_PROFILE_ID) ||
      Number(needsParameters(a)) - Number(needsParameters(b)) ||
      a.name.localeCompare(b.name),
  );
}
