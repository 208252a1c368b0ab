/**
 * How many range probes may be in flight, from the round trips of their answers (delay-based, like
 * LEDBAT, RFC 6817): range discovery sends hundreds of probes, and on a slow link (a few hundred
 * kbit/s) a fixed window of 96 fills the queue so deeply that answers arrive after their deadline —
 * ports that are open read as blocked, and the TURN checks running beside them starve. So:
 *
 * - the window starts at `max` (a fast or a silent path: as before);
 * - each answer that came back with less than `targetMs` of queueing (its round trip minus the
 *   smallest seen) widens it by one, up to `max`;
 * - each answer that queued longer narrows it by one, down to `min`: after one window of late
 *   answers it has shrunk to the floor, and the queue drains;
 * - silence changes nothing (a silent port is a result, not congestion).
 */
export interface Pacer {
  /** Probes allowed in flight now. */
  window(): number;
  /** One probe's answer came back after `rttMs`. */
  answered(rttMs: number): void;
}

export function createPacer(o: { max: number; min?: number; targetMs?: number }): Pacer {
  const max = Math.max(1, Math.floor(o.max));
  const min = Math.min(max, Math.max(1, Math.floor(o.min ?? 2)));
  const target = o.targetMs ?? 100;
  let w = max;
  let base = Infinity;
  return {
    window: () => w,
    answered(rttMs) {
      if (!Number.isFinite(rttMs) || rttMs < 0) return;
      base = Math.min(base, rttMs);
      w = rttMs - base <= target ? Math.min(max, w + 1) : Math.max(min, w - 1);
    },
  };
}

/** A batch's view of a link pacer: its share of the window, until it leaves. */
export interface LinkShare extends Pacer {
  leave(): void;
}

export interface LinkPacer {
  /** A range batch starts crossing the link: it gets an equal share of the window while it runs. */
  join(): LinkShare;
}

/**
 * One window for every range batch of a run (UDP and TCP, IPv4 and IPv6 run at once): they cross
 * the same link, so on a slow one it is their probes together, not each batch's, that must fit.
 * Answers from any batch move the one window (a congested link shows in all of them); each batch
 * that is running gets an equal share. With the two batches of an IPv4-only run and `max` twice a
 * batch's limit, each has what it had alone; a batch that finishes hands its share to the others.
 */
export function createLinkPacer(o: { max: number; min?: number; targetMs?: number }): LinkPacer {
  const shared = createPacer(o);
  let active = 0;
  return {
    join() {
      active++;
      let left = false;
      return {
        window: () => Math.max(1, Math.floor(shared.window() / Math.max(1, active))),
        answered: (rttMs) => shared.answered(rttMs),
        leave() {
          if (left) return;
          left = true;
          active--;
        },
      };
    },
  };
}
