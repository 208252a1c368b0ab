import type { PathcheckBridge } from '#common/ipc/bridge';

/**
 * The preload's bridge. Read on each call rather than captured at import time, so tests can put a
 * fake in place before a store uses it.
 */
export function bridge(): PathcheckBridge {
  const b = window.pathcheck;
  if (!b) throw new Error('This page was opened outside the Pathcheck app, so it cannot reach the diagnosis engine.');
  return b;
}

/** Message of anything thrown, for showing to a person. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
