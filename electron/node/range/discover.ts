import { setMaxListeners } from 'node:events';
import { formatRanges, normalizeRanges, rangeSize, type PortRange } from '#common/net/ranges';
import { startDeadline } from '../probes/deadline';

/**
 * Port-range discovery (docs/architecture.md, "Range discovery"). Pure algorithm: the caller
 * supplies `probe(port)`, which answers whether one port gets through (a STUN Binding or a TCP
 * connect to a reflector that answers on every port).
 *
 * 1. Sample every `stride` ports, always including both ends of each required range.
 * 2. Between two neighbouring probed ports that disagree, bisect until they are adjacent: the
 *    boundary is then exact (log2(stride) probes per boundary).
 * 3. Spans between two agreeing neighbours are assumed to share their state. A blocked island
 *    narrower than the stride that lies strictly between two open samples is invisible; the
 *    result's `resolution` (largest such assumed gap; 1 = exact) and `notes` say so.
 *
 * 4. Loss is not a block: a `blocked` answer next to an `open` one (it decides a boundary) is
 *    probed once more before it counts (`confirmBlocked`, default on), once every sample has been
 *    sent — when the link is quiet, so that the answer is not lost in the same burst as the first.
 *    When such a second probe comes back open, the first was lost: every blocked answer heard only
 *    once in that run of blocked samples is probed again at once (a queue that overflowed drops
 *    many neighbouring probes together). Blocked answers that decide nothing (all neighbours
 *    blocked) are not repeated, so a fully blocked network costs one round of samples, not two.
 *    When time runs out before every sample was even sent, on a link whose answers may outlast a
 *    probe's wait, a deciding blocked answer without a second answer leaves its run of blocked
 *    samples heard once `unknown`, not blocked.
 *
 * With the default stride (128) the range 10000-65535 costs ~435 samples + ~7 per boundary,
 * i.e. < 1 % of its 55,536 ports. Runs `concurrency` probes at once, stops at `deadlineMs` or
 * on abort; whatever is not resolved by then is reported as `unknown`, never guessed.
 */

export type PortState = 'open' | 'blocked';

/** Probes one port. Must honour `signal` (settle promptly once aborted) and should not throw. */
export type PortProbe = (port: number, signal: AbortSignal) => Promise<PortState>;

export interface DiscoverOptions {
  required: PortRange[];
  probe: PortProbe;
  /** Sampling stride in ports (default 128). */
  stride?: number;
  /** Probes in flight at once (default 32). */
  concurrency?: number;
  /** Probes in flight at once right now, when it varies (range/pace.ts); at most `concurrency`. */
  window?: () => number;
  signal?: AbortSignal;
  /** Budget for the whole discovery. */
  deadlineMs: number;
  /** Re-probe a blocked answer once when it sits next to an open one (default true). */
  confirmBlocked?: boolean;
  /**
   * Whether a blocked answer heard once can stand when the budget ended before the sweep had even
   * sent every sample (it always stands once every sample was sent): true on a link whose round
   * trips fit well inside a probe's wait, false where answers may outlast it (a queued link: the
   * run is then unresolved). Default false.
   */
  trustFirstBlocked?: () => boolean;
}

export interface RangeDiscovery {
  allowed: PortRange[];
  blocked: PortRange[];
  /** Ports not resolved because the deadline or a cancel came first. */
  unknown: PortRange[];
  /** Number of probes started (including any cut short by the deadline). */
  probes: number;
  /** Largest gap between agreeing probes that was not bisected; 1 = every port exact, 0 = nothing probed. */
  resolution: number;
  /** True when no port is unknown. */
  complete: boolean;
  stride: number;
  /** Plain-language caveats for the report. */
  notes: string[];
  /** Probes whose function threw; counted as blocked. */
  errors: number;
  /** Why the run stopped early, if it did. */
  stopped: 'timeout' | 'aborted' | null;
  /** Blocked answers probed a second time because they decide a boundary. */
  confirmations: number;
}

export const DEFAULT_STRIDE = 128;
export const DEFAULT_CONCURRENCY = 32;

/** Grid of ports to sample: each range's start, every `stride` after it, and its end. Ascending. */
export function samplePlan(required: readonly PortRange[], stride: number): number[] {
  const plan: number[] = [];
  for (const [a, b] of normalizeRanges(required)) {
    for (let p = a; p <= b; p += stride) plan.push(p);
    if (plan[plan.length - 1] !== b) plan.push(b);
  }
  return plan;
}

/** Inserts `v` into the ascending array `arr`. */
function insertSorted(arr: number[], v: number): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((arr[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, v);
}

/** Runs the discovery; see the module comment for the algorithm and its blind spot. */
export async function discoverRanges(opts: DiscoverOptions): Promise<RangeDiscovery> {
  const required = normalizeRanges(opts.required).filter(
    ([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b <= 65535 && a <= b,
  );
  const stride = Math.max(1, Math.floor(opts.stride ?? DEFAULT_STRIDE));
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));
  const plan = samplePlan(required, stride);
  const rangeIndex = (port: number): number => required.findIndex(([a, b]) => port >= a && port <= b);

  const known = new Map<number, PortState>();
  const sorted: number[] = [];
  const inflight = new Set<number>();
  let planIdx = 0;
  let probes = 0;
  let errors = 0;

  const busyBetween = (p: number, r: number): boolean => {
    for (const x of inflight) if (x > p && x < r) return true;
    return false;
  };
  const confirm = opts.confirmBlocked !== false;
  /** Blocked answers heard only once; a second blocked answer (or an open one) settles them. */
  const tentative = new Set<number>();
  /** Tentative answers whose second probe is out: settled only once it answers. */
  const confirming = new Set<number>();
  let confirmations = 0;
  const decidesBoundary = (i: number): boolean => {
    const p = sorted[i] as number;
    const open = (j: number) =>
      j >= 0 &&
      j < sorted.length &&
      known.get(sorted[j] as number) === 'open' &&
      rangeIndex(sorted[j] as number) === rangeIndex(p);
    return open(i - 1) || open(i + 1);
  };
  /**
   * Next port: confirm a tentative blocked answer that decides a boundary, then bisect a
   * disagreeing neighbour pair (boundaries matter most), else take the next sample.
   */
  /** Blocked answers heard once in a run of blocked samples where a second probe came back open. */
  const recheck: number[] = [];
  const nextPort = (): number | undefined => {
    while (recheck.length > 0) {
      const p = recheck.shift() as number;
      if (tentative.has(p) && !inflight.has(p)) {
        tentative.delete(p);
        confirming.add(p);
        return p;
      }
    }
    for (let i = 0; i + 1 < sorted.length; i++) {
      const p = sorted[i] as number;
      const r = sorted[i + 1] as number;
      if (r - p > 1 && known.get(p) !== known.get(r) && rangeIndex(p) === rangeIndex(r) && !busyBetween(p, r)) {
        return Math.floor((p + r) / 2);
      }
    }
    if (planIdx < plan.length) return plan[planIdx++];
    for (let i = 0; i < sorted.length; i++) {
      const p = sorted[i] as number;
      if (tentative.has(p) && !inflight.has(p) && decidesBoundary(i)) {
        tentative.delete(p);
        confirming.add(p);
        return p;
      }
    }
    return undefined;
  };
  /** A second probe of `port` came back open: the blocked answers heard once beside it may be loss too. */
  const lostBeside = (port: number): void => {
    const at = sorted.indexOf(port);
    const range = rangeIndex(port);
    for (const step of [-1, 1]) {
      for (let j = at + step; j >= 0 && j < sorted.length; j += step) {
        const q = sorted[j] as number;
        if (known.get(q) !== 'blocked' || rangeIndex(q) !== range) break;
        if (tentative.has(q)) recheck.push(q);
      }
    }
  };

  const dl = startDeadline(opts.deadlineMs, opts.signal);
  // Every in-flight probe listens on this one signal (plus our own pump listener).
  setMaxListeners(concurrency * 4 + 16, dl.signal);
  try {
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        if (!dl.signal.aborted) {
          const limit = Math.max(1, Math.min(concurrency, opts.window?.() ?? concurrency));
          while (inflight.size < limit) {
            const port = nextPort();
            if (port === undefined) break;
            launch(port);
          }
        }
        if (inflight.size === 0) {
          dl.signal.removeEventListener('abort', pump);
          resolve();
        }
      };
      const confirmed = new Set<number>();
      const record = (port: number, state: PortState): void => {
        if (dl.signal.aborted) return; // answers racing the deadline are not trusted
        const again = known.has(port);
        const flipped = again && known.get(port) === 'blocked' && state === 'open';
        known.set(port, state);
        if (!again) insertSorted(sorted, port);
        if (state === 'blocked' && confirm && !again && !confirmed.has(port)) tentative.add(port);
        if (again) confirmed.add(port);
        if (again && confirming.delete(port)) confirmations++;
        if (flipped) lostBeside(port);
      };
      const launch = (port: number): void => {
        inflight.add(port);
        probes++;
        let p: Promise<PortState>;
        try {
          p = opts.probe(port, dl.signal);
        } catch (e) {
          p = Promise.reject(e);
        }
        p.then(
          (state) => record(port, state === 'open' ? 'open' : 'blocked'),
          () => {
            if (!dl.signal.aborted) {
              errors++;
              record(port, 'blocked');
            }
          },
        ).finally(() => {
          inflight.delete(port);
          pump();
        });
      };
      dl.signal.addEventListener('abort', pump, { once: true });
      pump();
    });
  } finally {
    dl.dispose();
  }
  // A sweep that sent every sample had the time the link needs: its answers stand as heard. One
  // that could not (a queue that delays and drops answers) is trusted only where the link's round
  // trips fit a probe's wait; otherwise a block next to an open port still without its second
  // answer is not a block yet (loss is not a block): its run of blocked samples heard once is
  // reported unknown, as points of their own, so no span next to them is taken for open either.
  const trusted = planIdx >= plan.length || opts.trustFirstBlocked?.() === true;
  const once = (p: number) => tentative.has(p) || confirming.has(p);
  const unconfirmed = new Set<number>();
  for (let i = 0; !trusted && i < sorted.length; i++) {
    const p = sorted[i] as number;
    if (!once(p) || !decidesBoundary(i)) continue;
    for (const step of [-1, 1])
      for (let j = i; j >= 0 && j < sorted.length; j += step) {
        const q = sorted[j] as number;
        if (known.get(q) !== 'blocked' || !once(q) || rangeIndex(q) !== rangeIndex(p)) break;
        unconfirmed.add(q);
      }
  }
  const states = new Map<number, PortState | 'unknown'>(known);
  for (const p of unconfirmed) states.set(p, 'unknown');
  const result = summarize(required, states, sorted, { stride, probes, errors, stopped: dl.why() });
  result.confirmations = confirmations;
  if (unconfirmed.size > 0)
    result.notes.push(
      `${unconfirmed.size} probed port${unconfirmed.size === 1 ? '' : 's'} in runs of single blocked answers next to open ports had no answer to the second probe a block needs before time ran out: reported as not resolved, not as blocked (loss is not a block).`,
    );
  if (confirmations > 0)
    result.notes.push(
      `${confirmations} blocked answer${confirmations === 1 ? ' was' : 's were'} probed twice because ${confirmations === 1 ? 'it decides' : 'they decide'} a boundary (loss is not a block).`,
    );
  return result;
}

/** Turns probed points into allowed / blocked / unknown intervals (exported for tests). */
export function summarize(
  required: readonly PortRange[],
  known: ReadonlyMap<number, PortState | 'unknown'>,
  sortedPorts: readonly number[],
  meta: { stride: number; probes: number; errors: number; stopped: 'timeout' | 'aborted' | null },
): RangeDiscovery {
  const allowed: PortRange[] = [];
  const blocked: PortRange[] = [];
  const unknown: PortRange[] = [];
  const add = (state: PortState | 'unknown', a: number, b: number): void => {
    if (a > b) return;
    (state === 'open' ? allowed : state === 'blocked' ? blocked : unknown).push([a, b]);
  };
  let resolution = 0;
  for (const [a, b] of normalizeRanges(required)) {
    const pts = sortedPorts.filter((p) => p >= a && p <= b);
    if (pts.length === 0) {
      add('unknown', a, b);
      continue;
    }
    add('unknown', a, (pts[0] as number) - 1);
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i] as number;
      const sp = known.get(p) as PortState | 'unknown';
      add(sp, p, p);
      resolution = Math.max(resolution, 1);
      const r = pts[i + 1];
      if (r === undefined) continue;
      const sr = known.get(r) as PortState | 'unknown';
      if (sp === sr && sp !== 'unknown' && r - p <= meta.stride) {
        add(sp, p + 1, r - 1);
        resolution = Math.max(resolution, r - p);
      } else {
        add('unknown', p + 1, r - 1);
      }
    }
    add('unknown', (pts[pts.length - 1] as number) + 1, b);
  }
  const out: RangeDiscovery = {
    allowed: normalizeRanges(allowed),
    blocked: normalizeRanges(blocked),
    unknown: normalizeRanges(unknown),
    probes: meta.probes,
    resolution,
    complete: false,
    stride: meta.stride,
    notes: [],
    errors: meta.errors,
    stopped: meta.stopped,
    confirmations: 0,
  };
  out.complete = out.unknown.length === 0;
  if (resolution > 1) {
    out.notes.push(
      `Sampled every ${meta.stride} ports and located every change to the exact port; a blocked (or open) island narrower than ${resolution} ports lying wholly between two samples with the same result would not be seen.`,
    );
  }
  if (!out.complete) {
    const why =
      meta.stopped === 'aborted'
        ? 'the run was cancelled'
        : meta.stopped === 'timeout'
          ? 'the time limit was reached'
          : 'probing stopped';
    out.notes.push(
      `${rangeSize(out.unknown)} ports (${formatRanges(out.unknown)}) were not resolved because ${why} after ${meta.probes} probes.`,
    );
  }
  if (meta.errors > 0) out.notes.push(`${meta.errors} probes could not be sent and were counted as blocked.`);
  return out;
}
