/**
 * What every IPC call answers. Failures are values, not exceptions: an exception thrown in a main
 * handler reaches the renderer as an opaque "Error invoking remote method" string, while a result
 * carries a stable `code` the UI can branch on and a `message` it can show as it is.
 */

/** Codes main itself produces; handlers may add domain codes (kebab-case). */
export const IpcErrorCode = {
  /** The sender is not the app's own window, main frame and origin. */
  forbiddenSender: 'forbidden-sender',
  /** The payload did not match the channel's schema. */
  invalidPayload: 'invalid-payload',
  /** No engine is wired into this build. */
  engineUnavailable: 'engine-unavailable',
  /** One diagnosis at a time: two would disturb each other's measurements. */
  runInProgress: 'run-in-progress',
  profileNotFound: 'profile-not-found',
  profilesUnreadable: 'profiles-unreadable',
  /** A handler threw; the message is generic and the details go to main's log. */
  internal: 'internal',
} as const;

export interface IpcError {
  /** Stable, machine-readable, kebab-case (see {@link IpcErrorCode}). */
  code: string;
  /** One plain sentence a person can read. */
  message: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: string, message: string): IpcResult<T> {
  return { ok: false, error: { code, message } };
}
