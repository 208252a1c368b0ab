import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * "The far side answered": the socket layer says so at the first sign of life (a TCP handshake
 * completed, a datagram from the server), so a deadline meant for silence (engine/deadlines.ts) can
 * stand down once a probe is no longer silent. Carried in async context so no probe's signature
 * changes; the callback is taken when the socket is opened, inside the probe's own context.
 */
const current = new AsyncLocalStorage<() => void>();

/** Runs `fn` with `onHeard` as the answer callback of every socket it opens. */
export function listenForAnswer<T>(onHeard: () => void, fn: () => T): T {
  return current.run(onHeard, fn);
}

/** The answer callback of the probe running now (a no-op outside one); take it when opening a socket. */
export function answerCallback(): () => void {
  const fn = current.getStore();
  if (!fn) return () => {};
  let said = false;
  return () => {
    if (said) return;
    said = true;
    fn();
  };
}
