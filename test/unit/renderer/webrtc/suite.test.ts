import { describe, expect, it } from 'vitest';
import type { WebrtcPlan } from '#common/ipc/diagnosis';
import { webrtcPlan } from '#main/ipc/diagnosis-webrtc';
import { grade, mos, streamStats } from '#renderer/webrtc/stats';
import { runWebrtcSuite } from '#renderer/webrtc/suite';
import type { PeerFactory } from '#renderer/webrtc/peer';

/**
 * A peer connection that never gets a candidate (what Chromium does when TURN/TCP SYNs are
 * dropped), or answers with an ICE error. Records close() so every path can be checked.
 */
class SilentPeer extends EventTarget {
  static all: SilentPeer[] = [];
  closed = false;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  iceConnectionState = 'new';
  iceGatheringState = 'gathering';
  constructor(
    readonly config: RTCConfiguration,
    private readonly error?: { code: number; text: string },
  ) {
    super();
    SilentPeer.all.push(this);
  }
  createDataChannel() {
    return Object.assign(new EventTarget(), { readyState: 'connecting', close() {} });
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0' };
  }
  async createAnswer() {
    return { type: 'answer', sdp: 'v=0' };
  }
  async setLocalDescription() {
    if (this.error) {
      setTimeout(
        () =>
          this.dispatchEvent(
            Object.assign(new Event('icecandidateerror'), {
              errorCode: this.error!.code,
              errorText: this.error!.text,
              url: 'turn:x',
            }),
          ),
        5,
      );
    }
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    this.remoteDescription = d;
  }
  async addIceCandidate() {}
  async getStats() {
    return new Map();
  }
  close() {
    this.closed = true;
  }
}

const PROFILE = {
  schemaVersion: 1 as const,
  id: 'lab',
  name: 'Lab',
  signaling: [],
  stun: [{ host: 'stun.lab.test', port: 3478 }],
  turn: [{ host: 'turn.lab.test', port: 443, transport: 'tls' as const }],
  credentials: { type: 'none' as const },
  p2p: { udpPorts: [[10000, 65535]] as [number, number][] },
  addresses: { ipv4: [], ipv6: [] },
};
const RUN = '0b7e3f0c-3c1e-4a53-9d8e-2f6a1c9b5e11';

function plan(withCreds: boolean, over: Partial<WebrtcPlan> = {}): WebrtcPlan {
  return {
    ...webrtcPlan(RUN, PROFILE, withCreds ? { username: 'u', credential: 'p' } : null, undefined, {
      connectDeadlineMs: 150,
      streamMs: 100,
    }),
    direct: false,
    ...over,
  };
}

describe('WebRTC suite (fake peers)', () => {
  it('skips TURN servers without credentials, saying why', async () => {
    SilentPeer.all = [];
    const checks = await runWebrtcSuite(
      { ...plan(false), servers: plan(false).servers.filter((s) => s.kind === 'turn') },
      { createPeer: ((c: RTCConfiguration) => new SilentPeer(c)) as unknown as PeerFactory },
    );
    expect(checks.map((c) => [c.id, c.status, c.reason])).toEqual([
      ['webrtc:gather:tls:turn.lab.test:443', 'skipped', 'no-credentials'],
      ['webrtc:relay:tls:turn.lab.test:443', 'skipped', 'no-credentials'],
    ]);
    expect(SilentPeer.all).toHaveLength(0);
  });

  it('puts its own deadline on a server that never answers, and closes every peer', async () => {
    SilentPeer.all = [];
    const seen: string[] = [];
    const t0 = Date.now();
    const checks = await runWebrtcSuite(plan(true), {
      createPeer: ((c: RTCConfiguration) => new SilentPeer(c)) as unknown as PeerFactory,
      onCheck: (c) => seen.push(c.id),
    });
    expect(Date.now() - t0).toBeLessThan(2000);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['webrtc:relay:tls:turn.lab.test:443']).toMatchObject({
      status: 'fail',
      reason: 'timeout',
      kind: 'webrtc',
      transport: 'tls',
      port: 443,
    });
    expect(byId['webrtc:gather:tls:turn.lab.test:443']).toMatchObject({ status: 'fail', reason: 'timeout' });
    expect(byId['webrtc:gather:stun:stun.lab.test:3478']).toMatchObject({ status: 'warn', reason: 'no-srflx' });
    expect(seen.sort()).toEqual(checks.map((c) => c.id).sort());
    // TURN peers are relay-only with exactly one server each; STUN gathering uses 'all'.
    const turnPeers = SilentPeer.all.filter((p) => p.config.iceTransportPolicy === 'relay');
    expect(turnPeers).toHaveLength(2);
    expect(turnPeers[0]!.config.iceServers).toEqual([
      { urls: 'turns:turn.lab.test:443?transport=tcp', username: 'u', credential: 'p' },
    ]);
    expect(SilentPeer.all.every((p) => p.closed)).toBe(true);
  });

  it('reports refused credentials as auth-failed without waiting for the deadline', async () => {
    SilentPeer.all = [];
    const turnOnly = {
      ...plan(true, { connectDeadlineMs: 5000 }),
      servers: plan(true).servers.filter((s) => s.kind === 'turn'),
    };
    const t0 = Date.now();
    const checks = await runWebrtcSuite(turnOnly, {
      createPeer: ((c: RTCConfiguration) =>
        new SilentPeer(c, { code: 401, text: 'Unauthorized' })) as unknown as PeerFactory,
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(checks.find((c) => c.id.startsWith('webrtc:relay:'))).toMatchObject({
      status: 'fail',
      reason: 'auth-failed',
    });
    expect(SilentPeer.all.every((p) => p.closed)).toBe(true);
  });

  it('cancels: skipped results and closed peers', async () => {
    SilentPeer.all = [];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const checks = await runWebrtcSuite(plan(true, { connectDeadlineMs: 5000 }), {
      signal: controller.signal,
      createPeer: ((c: RTCConfiguration) => new SilentPeer(c)) as unknown as PeerFactory,
    });
    expect(checks.every((c) => c.status === 'skipped' && c.reason === 'aborted')).toBe(true);
    expect(SilentPeer.all.every((p) => p.closed)).toBe(true);
  });
});

/** Emits one mDNS-hidden host candidate and never connects (Chromium without media permission). */
class MdnsPeer extends SilentPeer {
  override async setLocalDescription() {
    setTimeout(() => {
      const candidate = {
        candidate: 'candidate:1 1 udp 2122260223 1f0c.local 50000 typ host',
        type: 'host',
        protocol: 'udp',
        address: '1f0c.local',
        port: 50000,
        toJSON: () => ({}),
      };
      this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate }));
    }, 5);
  }
}

describe('direct test', () => {
  it('calls mDNS-hidden host candidates a browser limitation (warn), not a network failure', async () => {
    SilentPeer.all = [];
    const checks = await runWebrtcSuite(
      { ...plan(false), servers: [], direct: true },
      { createPeer: ((c: RTCConfiguration) => new MdnsPeer(c)) as unknown as PeerFactory },
    );
    expect(checks).toEqual([expect.objectContaining({ id: 'webrtc:direct', status: 'warn', reason: 'mdns-only' })]);
    expect(SilentPeer.all.every((p) => p.closed)).toBe(true);
  });
});

describe('stream statistics', () => {
  it('computes one-way loss, RFC 3550 jitter and echo RTT percentiles', () => {
    const samples = Array.from({ length: 10 }, (_, i) => ({
      seq: i,
      sentAt: i * 20,
      arrivedAt: i === 3 ? null : i * 20 + 10 + (i % 2 ? 4 : 0),
      echoedAt: i === 3 || i === 4 ? null : i * 20 + 20 + i,
    }));
    const s = streamStats(samples);
    expect(s).toMatchObject({ sent: 10, received: 9, echoed: 8, lossPct: 10, roundTripLossPct: 20 });
    expect(s.rttMs).toEqual({ min: 20, median: 25, p95: 29, max: 29 });
    expect(s.jitterMs).toBeGreaterThan(0);
    expect(s.jitterMs).toBeLessThan(4);
    expect(streamStats([])).toMatchObject({ sent: 0, lossPct: 0, jitterMs: null, rttMs: null });
  });

  it('grades with the Twilio thresholds and computes the E-model MOS', () => {
    expect(grade(20, 0, 1)).toBe('excellent');
    expect(grade(120, 0, 1)).toBe('good');
    expect(grade(20, 5, 1)).toBe('fair');
    expect(grade(20, 0, 40)).toBe('poor');
    expect(mos(20, 1, 0)).toBeGreaterThan(4.3);
    expect(mos(600, 50, 10)).toBeLessThan(3);
  });
});
