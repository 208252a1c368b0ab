import { isEnded, localDate } from '../../common/profile/lifecycle';
import { runnableProfile } from '../../common/profile/prepare';
import type { Profile } from '../../common/profile/schema';
import { plainText } from '../../common/text/sanitize';
import { ProfileError } from '../profiles/resolve';

/**
 * The loaded profile filled in with `--param` values and dated for today. A missing or invalid
 * parameter makes the profile invalid (exit 65) with an error naming the parameter. An ended
 * profile still runs (it diagnoses existing deployments) but a warning says so first.
 */
export function prepareForRun(
  loaded: Profile,
  params: Record<string, string> | undefined,
  io: { stderr: { write(s: string): unknown }; now?: () => Date },
  source: string,
): Profile {
  const today = localDate(io.now?.() ?? new Date());
  const r = runnableProfile(loaded, params, today);
  if (!r.ok) {
    throw new ProfileError(source, r.errors.map((e) => ({ path: e.path, message: e.name ? `${e.message}; give it with --param ${e.name}=value` : e.message })));
  }
  if (isEnded(loaded, today)) io.stderr.write(`pathcheck: warning: ${plainText(r.profile.notice ?? `${loaded.name} has ended service.`)}\n`);
  return r.profile;
}
