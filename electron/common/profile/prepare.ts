import { withDatedNotice } from './lifecycle';
import { applyParameters, type ParameterError } from './parameters';
import type { Profile } from './schema';

/**
 * The profile exactly as a run uses it: every `${name}` filled in from `values` (or the errors
 * naming each missing or invalid parameter), and the notice written for `today`. Main and the CLI
 * both run this, so the app and the command line refuse the same profiles with the same words.
 */
export function runnableProfile(
  profile: Profile,
  values: Readonly<Record<string, string>> | undefined,
  today: string,
): { ok: true; profile: Profile } | { ok: false; errors: ParameterError[] } {
  const filled = applyParameters(profile, values ?? {});
  if (!filled.ok) return filled;
  return { ok: true, profile: withDatedNotice(filled.profile, today) };
}

/** The report's record of the parameter values a run used (absent when the profile has none). */
export function reportedParameters(
  profile: Profile,
  values: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (!profile.parameters?.length || !values) return undefined;
  return Object.fromEntries(profile.parameters.map((p) => [p.name, values[p.name] ?? '']));
}
