/**
 * A small concurrency limiter: at most `limit` tasks run at once, the rest wait in FIFO order.
 * Waiting tasks whose signal aborts are dropped without ever starting.
 */
export function createLimiter(limit: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    if (active >= limit) return;
    const start = queue.shift();
    if (start) start();
  };
  return function run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        if (signal?.aborted) {
          reject(signal.reason ?? new Error('aborted'));
          next();
          return;
        }
        active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      };
      queue.push(start);
      next();
    });
  };
}
