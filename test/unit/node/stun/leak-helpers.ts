/**
 * Counts the process's live handles, to prove probes close every socket and clear every timer.
 * Sockets show up as UDPWrap / TCPWrap / TCPSocketWrap (TLS rides on a TCP handle).
 */
export interface HandleCount {
  sockets: number;
  timers: number;
}

export function activeHandles(): HandleCount {
  let sockets = 0;
  let timers = 0;
  for (const kind of process.getActiveResourcesInfo()) {
    if (/UDP|TCP|TLS/i.test(kind)) sockets++;
    else if (kind === 'Timeout') timers++;
  }
  return { sockets, timers };
}

/** Lets closed handles finish closing (close callbacks run on later loop turns). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setImmediate(r));
}

/** Asserts no socket is left and no timer was added compared with `before`. */
export function leaked(before: HandleCount): string | null {
  const now = activeHandles();
  if (now.sockets > before.sockets || now.timers > before.timers)
    return `before ${JSON.stringify(before)}, after ${JSON.stringify(now)}`;
  return null;
}
