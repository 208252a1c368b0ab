import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProfileJson, type FieldError, type Profile } from '../../common/profile/schema';
import { readCaPem } from './ca';
import { DEFAULT_PROFILE_ID, listProfiles } from './store';

/** A profile that could not be used: the file, and each field with what is wrong with it. */
export class ProfileError extends Error {
  constructor(readonly source: string, readonly errors: FieldError[]) {
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
 * anything else is looked up among the built-in profiles by id.
 */
export async function loadProfile(idOrPath: string = DEFAULT_PROFILE_ID, dir = builtinProfilesDir()): Promise<Profile> {
  if (idOrPath.includes('/') || idOrPath.includes('\\') || idOrPath.endsWith('.json')) {
    const file = resolve(idOrPath);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ProfileError(idOrPath, [{ path: '(file)', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
    }
    const parsed = parseProfileJson(text);
    if (!parsed.ok) throw new ProfileError(idOrPath, parsed.errors);
    return withCaInline(parsed.profile, idOrPath, dirname(file));
  }
  const all = await listProfiles(dir);
  const found = all.find((p) => p.id === idOrPath);
  if (!found) {
    throw new ProfileError(idOrPath, [{ path: '(id)', message: `no built-in profile with this id; known: ${all.map((p) => p.id).join(', ')}` }]);
  }
  return withCaInline(found, idOrPath, dir);
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
