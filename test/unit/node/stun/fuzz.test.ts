import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, StreamFramer, verifyIntegrity, verifyIntegritySha256 } from '#node/stun/codec';
import { attr } from '#node/stun/attributes';
import { AttributeType } from '#node/stun/constants';
import { StunDecodeError } from '#node/stun/errors';
import * as V from '#test/fixtures/stun/rfc5769';

/** mulberry32: small seeded PRNG, so a failure reproduces from the printed seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x5eed5 ^ 2026;
const ITERATIONS = 120_000;
const KNOWN_TYPES = Object.values(AttributeType);

describe('decode fuzz', () => {
  it(`${ITERATIONS} random and mutated messages: only StunDecodeError escapes (seed ${SEED})`, () => {
    const rnd = prng(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
    const tid = bytes(12);
    const seeds = [
      V.SAMPLE_REQUEST,
      V.SAMPLE_IPV4_RESPONSE,
      V.SAMPLE_IPV6_RESPONSE,
      V.LONG_TERM_REQUEST,
      encodeMessage(
        {
          method: 3,
          cls: 3,
          transactionId: tid,
          attributes: [
            attr.errorCode(401, 'Unauthorized'),
            attr.realm('lab'),
            attr.nonce('n'),
            attr.xorRelayedAddress({ family: 'IPv6', address: '2001:db8::9', port: 5 }, tid),
            attr.otherAddress({ family: 'IPv4', address: '127.0.0.2', port: 3479 }),
            attr.unknownAttributes([1, 2, 3]),
          ],
        },
        { integrityKey: bytes(16), integritySha256Key: bytes(16), fingerprint: true },
      ),
    ];
    const counts = { ok: 0, rejected: 0 } as Record<string, number>;
    const framer = new StreamFramer();
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = seeds[i % seeds.length]!;
      let buf: Uint8Array;
      switch (i % 6) {
        case 0:
          buf = bytes(int(140));
          break;
        case 1:
          buf = seed.subarray(0, int(seed.length + 1));
          break;
        case 2: {
          buf = Uint8Array.from(seed);
          for (let k = 0, n = 1 + int(4); k < n; k++) buf[int(buf.length)]! ^= 1 << int(8);
          break;
        }
        case 3: {
          // valid header, random TLV soup with known types and random lengths
          const parts: number[] = [];
          for (let k = 0, n = int(8); k < n; k++) {
            const type = rnd() < 0.8 ? KNOWN_TYPES[int(KNOWN_TYPES.length)]! : int(0x10000);
            const len = rnd() < 0.5 ? [0, 1, 2, 4, 8, 20, 32][int(7)]! : int(40);
            parts.push(type >> 8, type & 0xff, len >> 8, len & 0xff, ...bytes((len + 3) & ~3));
          }
          const body = Uint8Array.from(parts);
          buf = new Uint8Array(20 + body.length);
          buf.set([int(0x40), int(256), body.length >> 8, body.length & 0xff, 0x21, 0x12, 0xa4, 0x42]);
          buf.set(tid, 8);
          buf.set(body, 20);
          if (rnd() < 0.2) buf[2 + int(2)] = int(256); // lie in Length
          break;
        }
        case 4: {
          // valid message, one attribute length field overwritten
          buf = Uint8Array.from(seed);
          const at = 20 + 4 * int((buf.length - 20) / 4);
          if (at + 3 < buf.length) buf[at + 3] = int(256);
          break;
        }
        default:
          buf = Uint8Array.from([...seed, ...bytes(int(12))]);
      }
      try {
        const m = decodeMessage(buf, { exactLength: rnd() < 0.5 });
        verifyIntegrity(m, tid);
        verifyIntegritySha256(m, tid);
        counts.ok!++;
      } catch (e) {
        if (!(e instanceof StunDecodeError))
          throw new Error(`iteration ${i}: ${String(e)} for ${Buffer.from(buf).toString('hex')}`, { cause: e });
        counts[e.code] = (counts[e.code] ?? 0) + 1;
        counts.rejected!++;
      }
      if (i % 50 === 0) {
        try {
          new StreamFramer().push(buf);
          framer.push(buf.subarray(0, 8));
        } catch (e) {
          if (!(e instanceof StunDecodeError)) throw e;
        }
      }
    }
    expect(counts.ok! + counts.rejected!).toBe(ITERATIONS);
    expect(counts.ok).toBeGreaterThan(1000); // the mutations still exercise the success path
    console.info(`[fuzz] ${ITERATIONS} inputs, seed ${SEED}:`, JSON.stringify(counts));
  }, 120_000);
});
