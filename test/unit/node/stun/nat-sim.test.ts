/**
 * RFC 5780 logic against a simulated NAT: a fake STUN server on 127.0.0.1/127.0.0.2 × two ports that
 * reports mapped addresses as a NAT of the chosen kind would, and answers CHANGE-REQUESTs only where that
 * kind of filtering would let the answer through. (Real NATs are exercised in the network lab.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { natBehavior, type NatBehaviour } from '#node/stun/nat';
import { decodeMessage, encodeMessage } from '#node/stun/codec';
import { attr } from '#node/stun/attributes';
import { StunClass } from '#node/stun/constants';

type Kind = Exclude<NatBehaviour, 'none' | 'unknown'>;

interface Sim {
  mapping: Kind;
  filtering: Kind;
  /** client ports seen by filtering tests (to check fresh sockets) */
  clientsWithChangeRequest: Set<number>;
  /** requests to the second IP are dropped (a firewall that opens only the primary address) */
  altSilent?: boolean;
}

const sim: Sim = {
  mapping: 'endpoint-independent',
  filtering: 'endpoint-independent',
  clientsWithChangeRequest: new Set(),
};
const sockets: Record<string, dgram.Socket> = {};
let P = 0;
let A = 0;
const secondIp = '127.0.0.2';

function mappedPort(clientPort: number, dstIp: string, dstPort: number): number {
  const base = 20000 + (clientPort % 10000);
  if (sim.mapping === 'endpoint-independent') return base;
  if (sim.mapping === 'address-dependent') return base + (dstIp === secondIp ? 1 : 0) * 11;
  return base + (dstIp === secondIp ? 11 : 0) + (dstPort === A ? 3 : 0);
}

function onMessage(dstIp: string, dstPort: number) {
  return (raw: Buffer, rinfo: dgram.RemoteInfo) => {
    let m;
    try {
      m = decodeMessage(new Uint8Array(raw));
    } catch {
      return;
    }
    if (sim.altSilent && dstIp === secondIp) return;
    const cr = m.attrs.changeRequest;
    let fromIp = dstIp;
    let fromPort = dstPort;
    if (cr?.changeIp || cr?.changePort) {
      sim.clientsWithChangeRequest.add(rinfo.port);
      if (cr.changeIp) fromIp = dstIp === '127.0.0.1' ? secondIp : '127.0.0.1';
      if (cr.changePort) fromPort = dstPort === P ? A : P;
      // what the simulated NAT lets back in
      const ipChanged = fromIp !== dstIp;
      const portChanged = fromPort !== dstPort;
      if (sim.filtering === 'address-and-port-dependent' && (ipChanged || portChanged)) return;
      if (sim.filtering === 'address-dependent' && ipChanged) return;
    }
    const out = encodeMessage(
      {
        method: m.method,
        cls: StunClass.successResponse,
        transactionId: m.transactionId,
        attributes: [
          attr.xorMappedAddress(
            { family: 'IPv4', address: '203.0.113.5', port: mappedPort(rinfo.port, dstIp, dstPort) },
            m.transactionId,
          ),
          attr.otherAddress({ family: 'IPv4', address: secondIp, port: A }),
          attr.responseOrigin({ family: 'IPv4', address: fromIp, port: fromPort }),
        ],
      },
      { fingerprint: true },
    );
    sockets[`${fromIp}:${fromPort}`]!.send(out, rinfo.port, rinfo.address);
  };
}

async function bind(ip: string, port: number): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, ip, () => resolve());
  });
  return s;
}

describe('natBehavior against a simulated NAT (RFC 5780 §4.3, §4.4)', () => {
  beforeAll(async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        const p = await bind('127.0.0.1', 0);
        P = p.address().port;
        const a = await bind('127.0.0.1', 0);
        A = a.address().port;
        sockets[`127.0.0.1:${P}`] = p;
        sockets[`127.0.0.1:${A}`] = a;
        sockets[`${secondIp}:${P}`] = await bind(secondIp, P);
        sockets[`${secondIp}:${A}`] = await bind(secondIp, A);
        break;
      } catch (e) {
        for (const s of Object.values(sockets)) s.close();
        for (const k of Object.keys(sockets)) delete sockets[k];
        if (attempt > 10) throw e;
      }
    }
    for (const [key, s] of Object.entries(sockets)) {
      const [ip, port] = key.split(':');
      s.on('message', onMessage(ip!, Number(port)));
    }
  });
  afterAll(() => {
    for (const s of Object.values(sockets)) s.close();
  });

  it('second address silent: mapping unknown (warn), filtering still measured', async () => {
    Object.assign(sim, { mapping: 'address-dependent', filtering: 'endpoint-independent', altSilent: true });
    try {
      const r = await natBehavior(
        { host: '127.0.0.1', port: P, transport: 'udp' },
        { deadlineMs: 4000, filterTimeoutMs: 300, rtoMs: 100 },
      );
      expect(r).toMatchObject({
        status: 'warn',
        evidence: { mapping: 'unknown', filtering: 'endpoint-independent', behaveCompliant: false },
      });
      expect(r.detail).toMatch(/^The NAT type could not be determined: .*second address did not answer/);
      expect(r.evidence.tests.find((t) => t.test === 'mapping II')?.answered).toBe(false);
    } finally {
      sim.altSilent = false;
    }
  });

  const kinds: Kind[] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];
  for (const mapping of kinds) {
    for (const filtering of kinds) {
      it(`mapping ${mapping}, filtering ${filtering}`, async () => {
        sim.mapping = mapping;
        sim.filtering = filtering;
        // Let retransmissions of the previous case that are still queued at the simulator drain first,
        // or a loaded machine counts them against this case.
        await new Promise((r) => setTimeout(r, 150));
        sim.clientsWithChangeRequest.clear();
        const r = await natBehavior(
          { host: '127.0.0.1', port: P, transport: 'udp' },
          { deadlineMs: 4000, filterTimeoutMs: 300, rtoMs: 100 },
        );
        expect(r.evidence).toMatchObject({ method: 'rfc5780', mapping, filtering, publicAddress: '203.0.113.5' });
        expect(r.evidence.behaveCompliant).toBe(mapping === 'endpoint-independent');
        expect(r.status).toBe(mapping === 'endpoint-independent' ? 'pass' : 'warn');
        // each filtering test ran on its own fresh socket, never the mapping socket
        expect(sim.clientsWithChangeRequest.has(r.evidence.local!.port)).toBe(false);
        expect(sim.clientsWithChangeRequest.size).toBe(filtering === 'endpoint-independent' ? 1 : 2);
      });
    }
  }
});
