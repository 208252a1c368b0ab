/**
 * Probe lifetime: deadline, AbortSignal and cleanup (ProbeScope), and the mapping of socket errors to
 * machine reasons (ProbeError). Every socket a probe opens is adopted by its scope.
 */
import { performance } from 'node:perf_hooks';
import type { Reason } from '#common/report/reason';
import { reasonForErrno } from '../net/errno';
import { StunDecodeError } from './errors';
import type { ProxyAuthChallenge } from '../net/proxy';

/** A probe failure with its machine reason; `errno` is the raw code (ECONNREFUSED, EPERM, ...). */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    readonly reason: Reason,
    message: string,
    readonly errno?: string,
    readonly phase?: string,
    /** For `proxy-auth-required`: which proxy asked, for which schemes. */
    readonly proxyAuth?: ProxyAuthChallenge,
  ) {
    super(message);
  }
}

/** Maps a Node socket error to a reason. `phase` says what we were doing ('send', 'connect', 'tls'). */
export function probeErrorFrom(err: unknown, phase: string): ProbeError {
  if (err instanceof ProbeError) return err;
  if (err instanceof StunDecodeError) return new ProbeError('protocol-error', err.message, err.code, phase);
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const msg = e instanceof Error ? e.message : String(err);
  // An unknown code during the handshake is the handshake's failure; elsewhere a broken exchange.
  const reason = reasonForErrno(code, phase === 'tls' ? 'tls-failed' : 'protocol-error');
  return new ProbeError(reason, msg, code, phase);
}

/**
 * Deadline + abort + cleanup for one probe. `race()` every await on the network; `adopt()` every socket.
 * When the deadline passes or the signal aborts, every adopted socket is closed at once and every
 * pending race rejects with `timeout` / `aborted`. `dispose()` (in a finally) closes whatever is left.
 */
export class ProbeScope {
  readonly startedAt = performance.now();
  readonly deadlineAt: number;
  /** What the probe is doing now; a timeout reports it (e.g. 'tls-handshake'). */
  phase = 'start';
  private cancelledWith: ProbeError | undefined;
  private readonly closers = new Set<() => void>();
  private readonly waiters = new Set<(e: ProbeError) => void>();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly onAbort = (): void =>
    this.cancel(new ProbeError('aborted', 'the probe was cancelled', undefined, this.phase));

  constructor(
    deadlineMs: number,
    private readonly signal?: AbortSignal,
  ) {
    this.deadlineAt = this.startedAt + deadlineMs;
    this.timer = setTimeout(
      () => this.cancel(new ProbeError('timeout', `no answer within ${deadlineMs} ms`, undefined, this.phase)),
      deadlineMs,
    );
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get cancelled(): ProbeError | undefined {
    return this.cancelledWith;
  }

  remainingMs(): number {
    return Math.max(0, this.deadlineAt - performance.now());
  }

  /** Registers a closer; returns a function that unregisters it (for sockets closed normally). */
  adopt(close: () => void): () => void {
    if (this.cancelledWith) {
      close();
      return () => {};
    }
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  /** Resolves with `p`, or rejects when the scope is cancelled or `withinMs` passes (then: timeout). */
  race<T>(p: Promise<T>, withinMs?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.cancelledWith) {
        p.catch(() => {});
        reject(this.cancelledWith);
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        this.waiters.delete(onCancel);
        if (timer) clearTimeout(timer);
      };
      const onCancel = (e: ProbeError): void => {
        done();
        reject(e);
      };
      this.waiters.add(onCancel);
      if (withinMs !== undefined && withinMs < this.remainingMs()) {
        timer = setTimeout(
          () =>
            onCancel(new ProbeError('timeout', `no answer within ${Math.round(withinMs)} ms`, undefined, this.phase)),
          withinMs,
        );
      }
      p.then(
        (v) => {
          done();
          resolve(v);
        },
        (e: unknown) => {
          done();
          reject(e);
        },
      );
    });
  }

  cancel(e: ProbeError): void {
    if (this.cancelledWith) return;
    this.cancelledWith = e;
    this.closeAll();
    for (const w of [...this.waiters]) w(e);
  }

  private closeAll(): void {
    for (const c of [...this.closers]) {
      try {
        c();
      } catch {
        /* closing twice or a half-open socket: nothing more to do */
      }
    }
    this.closers.clear();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.closeAll();
    this.waiters.clear();
  }
}
