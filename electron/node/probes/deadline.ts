/**
 * One deadline per probe, linked to the caller's AbortSignal. Probes never rely on OS or protocol
 * timeouts (a dropped SYN waits minutes), so each one owns a timer that aborts its own signal.
 * `why()` tells a deadline apart from a caller's cancel, so results say `timeout` vs `aborted`.
 */
export interface Deadline {
  /** Aborted when the deadline passes or the outer signal aborts. */
  readonly signal: AbortSignal;
  /** 'timeout' | 'aborted' once the signal fired, else null. */
  why(): 'timeout' | 'aborted' | null;
  /** Clears the timer and unhooks from the outer signal; call in `finally`. */
  dispose(): void;
}

/** Starts a deadline of `ms` milliseconds (clamped to >= 0), chained to `outer`. */
export function startDeadline(ms: number, outer?: AbortSignal): Deadline {
  const ctrl = new AbortController();
  let why: 'timeout' | 'aborted' | null = null;
  const onOuter = (): void => {
    if (why === null) why = 'aborted';
    ctrl.abort(outer?.reason);
  };
  const timer = setTimeout(
    () => {
      if (why === null) why = 'timeout';
      ctrl.abort(new Error('deadline'));
    },
    Math.max(0, ms),
  );
  if (outer) {
    if (outer.aborted) onOuter();
    else outer.addEventListener('abort', onOuter, { once: true });
  }
  return {
    signal: ctrl.signal,
    why: () => why,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Rejects when `signal` aborts; resolves/rejects with `p` otherwise. Removes its listener afterwards. */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Thrown by raceSignal; the caller asks its Deadline whether it was a timeout or a cancel. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

/** Rounds a duration to 0.1 ms, the precision the report promises. */
export const round1 = (ms: number): number => Math.round(ms * 10) / 10;

/** Milliseconds since `start` (a performance.now() value), rounded to 0.1 ms for reports. */
export function elapsedMs(start: number): number {
  return round1(performance.now() - start);
}
