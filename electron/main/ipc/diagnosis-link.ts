import type { LinkClaimed } from '#common/ipc/diagnosis';

/**
 * Who may measure on this computer's link, for one run of the app (docs/app.md, "Two sensors").
 * Both sensors' quality measurements cross the same link, so main gives it to one at a time:
 *
 * 1. the engine's reachability checks and range discovery run beside the page's WebRTC suite
 *    (reachability is never delayed);
 * 2. the engine's quality streams start once the page's suite is finished — the page claimed the
 *    link or submitted its results — or at the latest `suiteWaitMs` after the run started;
 * 3. the page's own call starts once the engine is finished, if it fits before the run's deadline.
 *
 * The page only asks (`diagnosis:claim-link`); main decides.
 */
export interface LinkTurns {
  /** Resolves when the engine's quality streams may start (never rejects). */
  readonly engineTurn: Promise<void>;
  /** The page's suite is finished (it submitted, or the run ended): the engine's turn, now. */
  suiteDone(): void;
  /** The engine has finished (its report or an error): nothing of it is on the link any more. */
  engineDone(): void;
  /** The page's claim for its call: answered once the engine is done; granted when the call fits. */
  claim(): Promise<LinkClaimed>;
}

export interface LinkTurnsOptions {
  /** Longest the engine's quality streams wait for the page's suite, from now, ms. */
  suiteWaitMs: number;
  /** What the page's call needs at most (connect and both directions), ms. */
  callMs: number;
  /** Date.now() by which main stops waiting for the page's results. */
  endsAt: number;
  /** The run's cancel: every waiting claim is answered at once. */
  signal: AbortSignal;
  now?: () => number;
}

export const CALL_TOO_LATE = 'Too little time was left before the diagnosis deadline for the in-app call.';
const RUN_ENDED = 'The diagnosis ended before it was the in-app call\u2019s turn.';

export function linkTurns(o: LinkTurnsOptions): LinkTurns {
  const now = o.now ?? Date.now;
  let openEngine!: () => void;
  const engineTurn = new Promise<void>((resolve) => (openEngine = resolve));
  const timer = setTimeout(() => openEngine(), o.suiteWaitMs);
  // Resolving twice is harmless; the timer is only cleared.
  const suiteDone = () => {
    clearTimeout(timer);
    openEngine();
  };
  let markEngineDone!: () => void;
  const engineFinished = new Promise<void>((resolve) => (markEngineDone = resolve));
  const cancelled = new Promise<void>((resolve) => {
    if (o.signal.aborted) resolve();
    else o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  void cancelled.then(suiteDone);
  return {
    engineTurn,
    suiteDone,
    engineDone: () => markEngineDone(),
    claim: async () => {
      suiteDone();
      await Promise.race([engineFinished, cancelled]);
      if (o.signal.aborted) return { granted: false, reason: RUN_ENDED };
      if (now() + o.callMs > o.endsAt) return { granted: false, reason: CALL_TOO_LATE };
      return { granted: true };
    },
  };
}
