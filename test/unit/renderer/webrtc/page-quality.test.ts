// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webrtcPlan } from '#main/ipc/diagnosis-webrtc';
import { parseProfile } from '#common/profile/schema';
import type { CheckResult } from '#common/report/schema';
import type { PeerFactory } from '#renderer/webrtc/peer';
import { runPageQuality } from '#renderer/webrtc/page-quality';

/**
 * The page's call shares the link with the engine's quality streams: it starts only once main gave
 * it the link (`diagnosis:claim-link`), and not at all when main refused.
 */
const r = parseProfile({
  schemaVersion: 1,
  id: 'lab',
  name: 'Lab',
  turn: [{ host: 'turn.lab.test', port: 3478, transport: 'udp' }],
  credentials: { type: 'static', username: 'u', credential: 'p' },
  group: { udpPorts: [[10000, 60000]] },
});
if (!r.ok) throw new Error('bad');
const plan = webrtcPlan(
  '11111111-1111-4111-8111-111111111111',
  r.profile,
  { username: 'u', credential: 'p' },
  undefined,
);
const passed: CheckResult[] = [
  {
    id: 'webrtc:relay:udp:turn.lab.test:3478',
    kind: 'webrtc',
    transport: 'udp',
    host: 'turn.lab.test',
    port: 3478,
    status: 'warn',
    reason: 'poor-quality',
    detail: '',
    evidence: {},
  },
];

/** Counts the call's starts: its first step draws the test video on a canvas. */
function counting() {
  const made = { n: 0 };
  const create = document.createElement.bind(document) as (tag: string) => HTMLElement;
  const spy = vi.spyOn(document, 'createElement') as unknown as {
    mockImplementation(f: (tag: string) => HTMLElement): void;
  };
  spy.mockImplementation((tag: string) => {
    if (tag === 'canvas') made.n++;
    return create(tag);
  });
  const createPeer = (() => {
    throw new Error('no peers in this test');
  }) as unknown as PeerFactory;
  return { made, createPeer };
}

describe('the page asks main for the link before its call', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the call does not start while the claim is pending; it starts once granted', async () => {
    const { made, createPeer } = counting();
    let grant!: (v: boolean) => void;
    const running = runPageQuality(plan, passed, {
      createPeer,
      claimLink: () => new Promise<boolean>((res) => (grant = res)),
    }).catch(() => []);
    await new Promise((res) => setTimeout(res, 50));
    expect(made.n).toBe(0);
    grant(true);
    await running;
    expect(made.n).toBeGreaterThan(0);
  });

  it('a refused claim measures nothing', async () => {
    const { made, createPeer } = counting();
    expect(await runPageQuality(plan, passed, { createPeer, claimLink: async () => false })).toEqual([]);
    expect(made.n).toBe(0);
  });

  it('with no working relay it does not ask at all (its submit frees the link)', async () => {
    let asked = false;
    const none = await runPageQuality(plan, [], {
      claimLink: async () => {
        asked = true;
        return true;
      },
    });
    expect(none).toEqual([]);
    expect(asked).toBe(false);
  });
});
