import { isHostname, isIP } from '../net/validate';

/**
 * Profile parameters: a profile may leave part of its host names to the user (LiveKit Cloud's
 * project subdomain, a self-hosted server's name) as `${name}` placeholders. A profile with a
 * placeholder cannot run until every parameter has a value that matches its pattern; the filled-in
 * profile (`applyParameters`) has ordinary host names only and is what the engine, rules and
 * remembered credentials see.
 */

export const PARAMETER_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** A value is at most a host name (labels and dots) before the profile's own pattern is tried. */
const VALUE_SHAPE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

export interface ProfileParameter {
  name: string;
  label: string;
  /** JavaScript regular expression source, matched against the whole value. */
  pattern: string;
  example: string;
}

/** The parameter names a host refers to, in order (may repeat). */
export function placeholdersIn(host: string): string[] {
  return [...host.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** A host with placeholders is valid when it is a host name with every placeholder replaced by a label. */
export function isTemplateHost(host: string): boolean {
  const names = placeholdersIn(host);
  if (names.length === 0 || names.some((n) => !PARAMETER_NAME.test(n))) return false;
  return isHostname(host.replace(PLACEHOLDER, 'x'));
}

/**
 * Why a pattern is refused, or null. Patterns come from imported profiles and run in main, so
 * constructs that can backtrack exponentially (a repeated group that itself repeats or alternates,
 * back-references) are refused, and values are short host-name fragments.
 */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > 200) return 'must be at most 200 characters';
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    return `is not a valid regular expression: ${(e as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'must not use back-references';
  if (/\((?:[^()\\]|\\.)*[+*}|](?:[^()\\]|\\.)*\)\s*[+*{]/.test(pattern))
    return 'must not repeat a group that itself repeats (it could take exponential time)';
  return null;
}

function matcher(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** Why `value` is not acceptable for `param`, or null. The same check the form runs as the user types. */
export function parameterValueProblem(param: ProfileParameter, value: string): string | null {
  if (value === '') return `${param.label} is required (for example ${param.example})`;
  if (value.length > 253 || !VALUE_SHAPE.test(value))
    return `${param.label} must be letters, digits, hyphens and dots (for example ${param.example})`;
  if (!matcher(param.pattern).test(value))
    return `${param.label} does not have the expected form (for example ${param.example})`;
  return null;
}

export interface ParameterError {
  /** `parameters.<name>` */
  path: string;
  /** The parameter's name, for callers that say which one (exit 65 in the CLI). */
  name: string;
  message: string;
}

export function substitute(host: string, values: Readonly<Record<string, string>>): string {
  return host.replace(PLACEHOLDER, (_m, n: string) => values[n] ?? '').toLowerCase();
}

interface WithHosts {
  parameters?: ProfileParameter[];
  signaling: Array<{ host: string }>;
  stun: Array<{ host: string }>;
  turn: Array<{ host: string }>;
  group?: { mediaServers: Array<{ host: string }> };
  reflector?: { host: string };
}

/**
 * The profile with every `${name}` filled in from `values`, or an error per parameter that is
 * missing, malformed or unknown. Nothing is half-applied: either every host is resolved or none.
 */
export function applyParameters<P extends WithHosts>(
  profile: P,
  values: Readonly<Record<string, string>> = {},
): { ok: true; profile: P } | { ok: false; errors: ParameterError[] } {
  const declared = profile.parameters ?? [];
  const errors: ParameterError[] = [];
  for (const name of Object.keys(values)) {
    if (!declared.some((p) => p.name === name)) {
      errors.push({
        path: `parameters.${name}`,
        name,
        message: `this profile has no parameter "${name}"${declared.length ? ` (it has ${declared.map((p) => p.name).join(', ')})` : ''}`,
      });
    }
  }
  for (const p of declared) {
    const problem = parameterValueProblem(p, values[p.name] ?? '');
    if (problem) errors.push({ path: `parameters.${p.name}`, name: p.name, message: problem });
  }
  if (errors.length) return { ok: false, errors };
  const fill = <T extends { host: string }>(e: T): T => ({ ...e, host: substitute(e.host, values) });
  const resolved: P = {
    ...profile,
    signaling: profile.signaling.map(fill),
    stun: profile.stun.map(fill),
    turn: profile.turn.map(fill),
    ...(profile.group ? { group: { ...profile.group, mediaServers: profile.group.mediaServers.map(fill) } } : {}),
    ...(profile.reflector ? { reflector: fill(profile.reflector) } : {}),
  };
  const hostsOf = (x: WithHosts) =>
    [...x.signaling, ...x.stun, ...x.turn, ...(x.group?.mediaServers ?? []), ...(x.reflector ? [x.reflector] : [])].map(
      (e) => e.host,
    );
  const before = hostsOf(profile);
  const after = hostsOf(resolved);
  for (let i = 0; i < after.length; i++) {
    const host = after[i]!;
    if (isHostname(host) || isIP(host)) continue;
    const name = placeholdersIn(before[i]!)[0] ?? '';
    return {
      ok: false,
      errors: [{ path: `parameters.${name}`, name, message: `makes a host that is not a valid name: ${host}` }],
    };
  }
  return { ok: true, profile: resolved };
}

/** Whether a profile still has placeholders (it cannot run as it is). */
export function needsParameters(profile: { parameters?: ProfileParameter[] }): boolean {
  return (profile.parameters?.length ?? 0) > 0;
}
