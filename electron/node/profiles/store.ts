import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProfileJson, type Profile } from '../../common/profile/schema';

/** The profile the app and the CLI select when the user has not chosen one (docs/architecture.md, "Provider profiles"). */
export const DEFAULT_PROFILE_ID = 'twilio-video';

/**
 * Reads every `*.json` profile in `dir` (the built-in `resources/profiles`, or a packaged app's
 * `resources/profiles` extraResources copy) and validates each with the common schema.
 *
 * A built-in profile that does not validate is a bug in the product, not user input, so it is
 * refused loudly (the error names the file and the field) rather than silently left out: a picker
 * that quietly lost a provider would be worse than a visible error.
 *
 * Order: the default profile first, then by name, so every caller shows the same list.
 */
export async function listProfiles(dir: string): Promise<Profile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const profiles: Profile[] = [];
  for (const file of files) {
    const parsed = parseProfileJson(await readFile(join(dir, file), 'utf8'));
    if (!parsed.ok) {
      const first = parsed.errors[0];
      throw new Error(`invalid built-in profile ${file}: ${first ? `${first.path}: ${first.message}` : 'unknown error'}`);
    }
    if (profiles.some((p) => p.id === parsed.profile.id)) {
      throw new Error(`duplicate built-in profile id "${parsed.profile.id}" in ${file}`);
    }
    profiles.push(parsed.profile);
  }
  return profiles.sort(
    (a, b) => Number(b.id === DEFAULT_PROFILE_ID) - Number(a.id === DEFAULT_PROFILE_ID) || a.name.localeCompare(b.name),
  );
}
