import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProfileId, parseProfileJson, type FieldError, type Profile } from '#common/profile/schema';
import { MAX_PROFILE_TEXT } from '#common/ipc/profiles';
import { BoundedReadError, readBoundedText } from './bounded-read';
import { readCaPem } from './ca';
import { defaultProfile, listProfiles } from './store';

/** A profile that could not be used: the file, and each field with what is wrong with it. */
export class ProfileError extends Error {
  constructor(
    readonly source: string,
    readonly errors: FieldError[],
  ) {
    super(`invalid profile ${source}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'ProfileError';
  }
}

/**
 * Where the built-in profiles live: $PATHCHECK_PROFILES_DIR, else the nearest `resources/profiles`
 * walking up from this module (works from the source tree, from out/cli and from an unpacked app).
 */
export function builtinProfilesDir(from: string = fileURLToPath(import.meta.url)): string {
  const env = process.env.PATHCHECK_PROFILES_DIR;
  if (env) return env;
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, 'resources', 'profiles');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('built-in profiles not found (set PATHCHECK_PROFILES_DIR)');
    dir = up;
  }
}

/**
 * `--profile <id|path.json>`: a path (contains a slash or ends in .json) is read and validated;
 * anything else is looked up among the built-in profiles by id. Without one: the first built-in
 * profile whose service has not ended (store.ts `defaultProfile`).
 */
export async function loadProfile(idOrPath?: string, dir = builtinProfilesDir(), today?: string): Promise<Profile> {
  if (idOrPath === undefined) {
    const chosen = defaultProfile(await listProfiles(dir, today), today);
    if (!chosen)
      throw new ProfileError('(default)', [
        { path: '(id)', message: 'every built-in profile has ended service; choose one with --profile' },
      ]);
    return withCaInline(chosen, chosen.id, dir);
  }
  if (idOrPath.includes('/') || idOrPath.includes('\\') || idOrPath.endsWith('.json')) {
    const file = resolve(idOrPath);
    let text: string;
    try {
      // Bounded like every file read: a FIFO or /dev/zero given by mistake is refused, not waited on.
      text = await readBoundedText(file, MAX_PROFILE_TEXT);
    } catch (e) {
      const why = e instanceof BoundedReadError ? e.short : (e as Error).message;
      throw new ProfileError(idOrPath, [{ path: '(file)', message: `cannot read: ${why}` }]);
    }
    const parsed = parseProfileJson(text);
    if (!parsed.ok) throw new ProfileError(idOrPath, parsed.errors);
    return withCaInline(parsed.profile, idOrPath, dirname(file));
  }
  return loadBuiltinProfile(idOrPath, dir);
}

/**
 * A built-in profile by id, e.g. the profile a report names. The id is checked as an id and only
 * ever compared with the built-in profiles' ids: it is never used as a path, whatever it holds.
 */
export async function loadBuiltinProfile(id: string, dir = builtinProfilesDir()): Promise<Profile> {
  if (!isProfileId(id)) {
    throw new ProfileError('(id)', [
      {
        path: '(id)',
        message:
          'not a profile id (lowercase letters, digits and hyphens, up to 64); give the profile file with --profile',
      },
    ]);
  }
  const all = await listProfiles(dir);
  const found = all.find((p) => p.id === id);
  if (!found) {
    throw new ProfileError(id, [
      { path: '(id)', message: `no built-in profile with this id; known: ${all.map((p) => p.id).join(', ')}` },
    ]);
  }
  return withCaInline(found, id, dir);
}

/** Reads `tls.ca` when it is a file path (relative to the profile's folder), so it is checked at load: exit 65, not a hang. */
async function withCaInline(profile: Profile, source: string, baseDir: string): Promise<Profile> {
  const ca = profile.tls?.ca;
  if (!ca) return profile;
  try {
    return { ...profile, tls: { ...profile.tls, ca: await readCaPem(ca, baseDir) } };
  } catch (e) {
    throw new ProfileError(source, [{ path: 'tls.ca', message: (e as Error).message }]);
  }
}
