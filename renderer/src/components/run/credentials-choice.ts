import type { CredentialsStatus } from '#common/ipc/credentials';
import type { DiagnosisStartRequest } from '#common/ipc/diagnosis';
import type { Profile } from '#common/profile/schema';

/** Where this run's TURN credentials come from, as the form offers it. */
export type CredentialsMode = 'profile' | 'saved' | 'static' | 'turn-rest' | 'twilio-nts' | 'none';

export interface CredentialsChoice {
  mode: CredentialsMode;
  username: string;
  credential: string;
  secret: string;
  restUser: string;
  accountSid: string;
  authToken: string;
  remember: boolean;
}

export function emptyChoice(mode: CredentialsMode = 'none'): CredentialsChoice {
  return {
    mode,
    username: '',
    credential: '',
    secret: '',
    restUser: '',
    accountSid: '',
    authToken: '',
    remember: false,
  };
}

/** The modes that make sense for a profile and what main says is remembered, best first. */
export function modesFor(profile: Profile, status: CredentialsStatus | null): CredentialsMode[] {
  const modes: CredentialsMode[] = [];
  if (status?.saved) modes.push('saved');
  if (profile.credentials.type !== 'none') modes.push('profile');
  modes.push('static', 'turn-rest', 'twilio-nts', 'none');
  return modes;
}

/** The mode the form opens with: remembered, else the profile's own, else none (Run never waits on a form). */
export function defaultMode(profile: Profile, status: CredentialsStatus | null): CredentialsMode {
  if (status?.saved) return 'saved';
  if (profile.credentials.type !== 'none') return 'profile';
  return 'none';
}

export const MODE_LABEL: Record<CredentialsMode, string> = {
  saved: 'Remembered credentials',
  profile: 'From the profile',
  static: 'TURN username and password',
  'turn-rest': 'TURN REST shared secret',
  'twilio-nts': 'Twilio Account SID and auth token',
  none: 'None (reachability only)',
};

export type FieldErrors = Partial<Record<keyof CredentialsChoice, string>>;

const CONTROL = /[\u0000-\u001f\u007f]/;
function secretError(v: string): string | undefined {
  if (!v) return 'Required.';
  if (v.length > 1024) return 'At most 1024 characters.';
  if (CONTROL.test(v)) return 'Must not contain control characters.';
  return undefined;
}

/**
 * What the form adds to the start request, or the errors to show at each field. The same rules as
 * the profile schema (which main applies again), so a mistake is shown where it was typed.
 */
export function requestPart(
  choice: CredentialsChoice,
):
  | { ok: true; part: Pick<DiagnosisStartRequest, 'credentials' | 'remember' | 'useSavedCredentials'> }
  | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const remember = choice.remember ? { remember: true } : {};
  switch (choice.mode) {
    case 'profile':
    case 'none':
      return { ok: true, part: choice.mode === 'none' ? { credentials: { type: 'none' } } : {} };
    case 'saved':
      return { ok: true, part: { useSavedCredentials: true } };
    case 'static': {
      const u = secretError(choice.username);
      const c = secretError(choice.credential);
      if (u) errors.username = u;
      if (c) errors.credential = c;
      if (u || c) return { ok: false, errors };
      return {
        ok: true,
        part: {
          credentials: { type: 'static', username: choice.username, credential: choice.credential },
          ...remember,
        },
      };
    }
    case 'turn-rest': {
      const s = secretError(choice.secret);
      if (s) errors.secret = s;
      if (choice.restUser && !/^[A-Za-z0-9._-]{1,64}$/.test(choice.restUser))
        errors.restUser = 'Letters, digits, dot, underscore and hyphen only (up to 64).';
      if (Object.keys(errors).length) return { ok: false, errors };
      return {
        ok: true,
        part: {
          credentials: {
            type: 'turn-rest',
            secret: choice.secret,
            ttlSeconds: 3600,
            ...(choice.restUser ? { user: choice.restUser } : {}),
          },
          ...remember,
        },
      };
    }
    case 'twilio-nts': {
      if (!/^AC[0-9a-f]{32}$/.test(choice.accountSid.trim()))
        errors.accountSid = 'Must look like AC followed by 32 hex digits.';
      const t = secretError(choice.authToken);
      if (t) errors.authToken = t;
      if (Object.keys(errors).length) return { ok: false, errors };
      return {
        ok: true,
        part: {
          credentials: { type: 'twilio-nts', accountSid: choice.accountSid.trim(), authToken: choice.authToken },
          ...remember,
        },
      };
    }
  }
}
