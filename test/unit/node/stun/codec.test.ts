import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  longTermKey,
  saslprep,
  shortTermKey,
  verifyIntegrity,
  verifyIntegritySha256,
  messageType,
  splitMessageType,
  StreamFramer,
  encodeChannelData,
  decodeChannelData,
  crc32,
} from '#node/stun/codec';
import { attr, encodeXorAddress, type RawAttribute } from '#node/stun/attributes';
import { AttributeType, StunClass, StunMethod, TRANSPORT_UDP } from '#node/stun/constants';
import { StunDecodeError } from '#node/stun/errors';
import { bytesToIp, ipToBytes, type TransportAddress } from '#node/stun/address';
import * as V from '#test/fixtures/stun/rfc5769';

const enc = (s: string) => new TextEncoder().encode(s);

function expectDecodeError(bytes: Uint8Array, code: string): void {
  try {
    decodeMessage(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(StunDecodeError);
    expect((e as StunDecodeError).code).toBe(code);
    return;
  }
  throw new Error('expected a StunDecodeError');
}

describe('RFC 5769 test vectors', () => {
  const key = shortTermKey(V.SHORT_TERM_PASSWORD);

  it('§2.1 sample request decodes, verifies, and re-encodes byte for byte', () => {
    const m = decodeMessage(V.SAMPLE_REQUEST);
    expect(m.method).toBe(StunMethod.Binding);
    expect(m.cls).toBe(StunClass.request);
    expect(Buffer.from(m.transactionId)).toEqual(Buffer.from(V.TRANSACTION_ID));
    expect(m.attrs.software).toBe('STUN test client');
    expect(m.attrs.username).toBe('evtj:h6vY');
    expect(m.fingerprintOffset).toBeDefined();
    expect(verifyIntegrity(m, key)).toBe(true);
    expect(verifyIntegrity(m, shortTermKey('wrong'))).toBe(false);
    // PRIORITY (0x0024) and ICE-CONTROLLED (0x8029) are ICE attributes: carried raw.
    const priority = m.attributes.find((a) => a.type === 0x0024)!;
    const controlled = m.attributes.find((a) => a.type === 0x8029)!;
    const again = encodeMessage(
      {
        method: StunMethod.Binding,
        cls: StunClass.request,
        transactionId: V.TRANSACTION_ID,
        attributes: [attr.software('STUN test client'), priority, controlled, attr.username('evtj:h6vY')],
      },
      { integrityKey: key, fingerprint: true, padByte: 0x20 },
    );
    expect(Buffer.from(again).toString('hex')).toBe(Buffer.from(V.SAMPLE_REQUEST).toString('hex'));
  });

  it('§2.2 IPv4 response: 192.0.2.1:32853, integrity, fingerprint, re-encode', () => {
    const m = decodeMessage(V.SAMPLE_IPV4_RESPONSE);
    expect(m.cls).toBe(StunClass.successResponse);
    expect(m.attrs.software).toBe('test vector');
    expect(m.attrs.xorMappedAddress).toEqual({ family: 'IPv4', address: '192.0.2.1', port: 32853 });
    expect(verifyIntegrity(m, key)).toBe(true);
    const again = encodeMessage(
      {
        method: StunMethod.Binding,
        cls: StunClass.successResponse,
        transactionId: V.TRANSACTION_ID,
        attributes: [attr.software('test vector'), attr.xorMappedAddress(m.attrs.xorMappedAddress!, V.TRANSACTION_ID)],
      },
      { integrityKey: key, fingerprint: true, padByte: 0x20 },
    );
    expect(Buffer.from(again)).toEqual(Buffer.from(V.SAMPLE_IPV4_RESPONSE));
  });

  it('§2.3 IPv6 response: [2001:db8:1234:5678:11:2233:4455:6677]:32853, re-encode', () => {
    const m = decodeMessage(V.SAMPLE_IPV6_RESPONSE);
    const mapped: TransportAddress = { family: 'IPv6', address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 };
    expect(m.attrs.xorMappedAddress).toEqual(mapped);
    expect(verifyIntegrity(m, key)).toBe(true);
    const again = encodeMessage(
      {
        method: StunMethod.Binding,
        cls: StunClass.successResponse,
        transactionId: V.TRANSACTION_ID,
        attributes: [attr.software('test vector'), attr.xorMappedAddress(mapped, V.TRANSACTION_ID)],
      },
      { integrityKey: key, fingerprint: true, padByte: 0x20 },
    );
    expect(Buffer.from(again)).toEqual(Buffer.from(V.SAMPLE_IPV6_RESPONSE));
  });

  it('§2.4 long-term credentials: SASLprep of the RFC password, MD5 key, integrity, re-encode', () => {
    expect(saslprep(V.LONG_TERM_PASSWORD)).toBe('TheMatrIX');
    const m = decodeMessage(V.LONG_TERM_REQUEST);
    expect(m.attrs.username).toBe(V.LONG_TERM_USERNAME);
    expect(m.attrs.realm).toBe(V.LONG_TERM_REALM);
    expect(m.attrs.nonce).toBe(V.LONG_TERM_NONCE);
    expect(m.fingerprintOffset).toBeUndefined();
    const key = longTermKey(V.LONG_TERM_USERNAME, V.LONG_TERM_REALM, V.LONG_TERM_PASSWORD);
    expect(Buffer.from(key)).toEqual(Buffer.from(longTermKey(V.LONG_TERM_USERNAME, V.LONG_TERM_REALM, 'TheMatrIX')));
    expect(verifyIntegrity(m, key)).toBe(true);
    expect(verifyIntegrity(m, longTermKey(V.LONG_TERM_USERNAME, V.LONG_TERM_REALM, 'thematrix'))).toBe(false);
    const again = encodeMessage(
      {
        method: StunMethod.Binding,
        cls: StunClass.request,
        transactionId: m.transactionId,
        attributes: [attr.username(V.LONG_TERM_USERNAME), attr.nonce(V.LONG_TERM_NONCE), attr.realm(V.LONG_TERM_REALM)],
      },
      { integrityKey: key },
    );
    expect(Buffer.from(again)).toEqual(Buffer.from(V.LONG_TERM_REQUEST));
  });
});

describe('message type and header', () => {
  it('maps method/class bits as RFC 8489 §5 figure 3', () => {
    expect(messageType(StunMethod.Binding, StunClass.request)).toBe(0x0001);
    expect(messageType(StunMethod.Binding, StunClass.successResponse)).toBe(0x0101);
    expect(messageType(StunMethod.Allocate, StunClass.errorResponse)).toBe(0x0113);
    expect(messageType(StunMethod.Send, StunClass.indication)).toBe(0x0016);
    expect(messageType(StunMethod.Data, StunClass.indication)).toBe(0x0017);
    expect(messageType(0xfff, StunClass.errorResponse)).toBe(0x3fff);
    for (let m = 0; m <= 0xfff; m += 7) {
      for (const c of [0, 1, 2, 3] as StunClass[])
        expect(splitMessageType(messageType(m, c))).toEqual({ method: m, cls: c });
    }
  });

  it('CRC-32 matches the standard check value', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
  });

  it('rejects broken headers with typed codes', () => {
    const good = encodeMessage({
      method: 1,
      cls: 0,
      transactionId: new Uint8Array(12),
      attributes: [attr.software('abc')],
    });
    expectDecodeError(good.subarray(0, 19), 'truncated');
    expectDecodeError(good.subarray(0, good.length - 4), 'truncated');
    const m1 = Uint8Array.from(good);
    m1[0]! |= 0x80;
    expectDecodeError(m1, 'bad-type');
    const m2 = Uint8Array.from(good);
    m2[4]! ^= 1;
    expectDecodeError(m2, 'bad-magic');
    const m3 = Uint8Array.from(good);
    m3[3] = 6;
    expectDecodeError(m3, 'bad-length');
    const m4 = Uint8Array.from(good);
    m4[23] = 9;
    expectDecodeError(m4, 'bad-length');
    const m5 = Uint8Array.from(V.SAMPLE_IPV4_RESPONSE);
    m5[30]! ^= 1;
    expectDecodeError(m5, 'bad-fingerprint');
    const m6 = Uint8Array.from([...good, 0, 0, 0, 0]);
    expectDecodeError(m6, 'bad-length');
    expect(decodeMessage(m6, { exactLength: false }).attrs.software).toBe('abc');
  });

  it('a tampered signed message fails integrity', () => {
    const key = enc('k');
    const b = encodeMessage(
      { method: 3, cls: 0, transactionId: new Uint8Array(12).fill(7), attributes: [attr.lifetime(600)] },
      { integrityKey: key },
    );
    b[27]! ^= 1;
    expect(verifyIntegrity(decodeMessage(b), key)).toBe(false);
  });

  it('ignores attributes after MESSAGE-INTEGRITY except -SHA256 and FINGERPRINT (RFC 8489 §14.5)', () => {
    const key = enc('k');
    const tid = new Uint8Array(12).fill(1);
    const signed = encodeMessage(
      { method: 3, cls: 0, transactionId: tid, attributes: [attr.lifetime(1)] },
      { integrityKey: key },
    );
    const extra = Uint8Array.of(0x00, 0x13, 0x00, 0x04, 1, 2, 3, 4);
    const both = new Uint8Array(signed.length + 8);
    both.set(signed);
    both.set(extra, signed.length);
    new DataView(both.buffer).setUint16(2, both.length - 20);
    const m = decodeMessage(both);
    expect(m.attrs.data).toBeUndefined();
    expect(verifyIntegrity(m, key)).toBe(true);
  });
});

describe('attribute round trips', () => {
  const tid = Uint8Array.from({ length: 12 }, (_, i) => i * 17);
  const v4: TransportAddress = { family: 'IPv4', address: '203.0.113.9', port: 3478 };
  const v6: TransportAddress = { family: 'IPv6', address: '2001:db8::1', port: 65535 };
  const cases: Array<[string, RawAttribute, (m: ReturnType<typeof decodeMessage>) => unknown, unknown]> = [];
  for (const a of [v4, v6]) {
    cases.push(
      [`MAPPED-ADDRESS ${a.family}`, attr.mappedAddress(a), (m) => m.attrs.mappedAddress, a],
      [`XOR-MAPPED-ADDRESS ${a.family}`, attr.xorMappedAddress(a, tid), (m) => m.attrs.xorMappedAddress, a],
      [`XOR-RELAYED-ADDRESS ${a.family}`, attr.xorRelayedAddress(a, tid), (m) => m.attrs.xorRelayedAddress, [a]],
      [`XOR-PEER-ADDRESS ${a.family}`, attr.xorPeerAddress(a, tid), (m) => m.attrs.xorPeerAddress, [a]],
      [`ALTERNATE-SERVER ${a.family}`, attr.alternateServer(a), (m) => m.attrs.alternateServer, a],
      [`RESPONSE-ORIGIN ${a.family}`, attr.responseOrigin(a), (m) => m.attrs.responseOrigin, a],
      [`OTHER-ADDRESS ${a.family}`, attr.otherAddress(a), (m) => m.attrs.otherAddress, a],
    );
  }
  cases.push(
    ['USERNAME', attr.username('ü:ser'), (m) => m.attrs.username, 'ü:ser'],
    ['REALM', attr.realm('lab'), (m) => m.attrs.realm, 'lab'],
    ['NONCE', attr.nonce('abc123'), (m) => m.attrs.nonce, 'abc123'],
    ['SOFTWARE', attr.software('pathcheck'), (m) => m.attrs.software, 'pathcheck'],
    ['ERROR-CODE', attr.errorCode(438, 'Stale Nonce'), (m) => m.attrs.errorCode, { code: 438, reason: 'Stale Nonce' }],
    ['UNKNOWN-ATTRIBUTES', attr.unknownAttributes([0x0003, 0x7fff]), (m) => m.attrs.unknownAttributes, [3, 0x7fff]],
    [
      'CHANGE-REQUEST',
      attr.changeRequest({ changeIp: true, changePort: false }),
      (m) => m.attrs.changeRequest,
      { changeIp: true, changePort: false },
    ],
    ['RESPONSE-PORT', attr.responsePort(4242), (m) => m.attrs.responsePort, 4242],
    ['LIFETIME', attr.lifetime(600), (m) => m.attrs.lifetime, 600],
    ['REQUESTED-TRANSPORT', attr.requestedTransport(TRANSPORT_UDP), (m) => m.attrs.requestedTransport, 17],
    ['CHANNEL-NUMBER', attr.channelNumber(0x4001), (m) => m.attrs.channelNumber, 0x4001],
    ['DATA', attr.data(Uint8Array.of(1, 2, 3, 4, 5)), (m) => Array.from(m.attrs.data!), [1, 2, 3, 4, 5]],
  );
  it.each(cases)('%s', (_name, a, get, want) => {
    const bytes = encodeMessage(
      { method: StunMethod.Allocate, cls: StunClass.successResponse, transactionId: tid, attributes: [a] },
      { fingerprint: true },
    );
    expect(get(decodeMessage(bytes))).toEqual(want);
  });

  it('MESSAGE-INTEGRITY-SHA256 (and SHA1 together) verify', () => {
    const key = enc('secret');
    const b = encodeMessage(
      { method: 1, cls: 0, transactionId: tid, attributes: [attr.username('u')] },
      { integrityKey: key, integritySha256Key: key, fingerprint: true },
    );
    const m = decodeMessage(b);
    expect(m.attrs.messageIntegritySha256?.length).toBe(32);
    expect(verifyIntegrity(m, key)).toBe(true);
    expect(verifyIntegritySha256(m, key)).toBe(true);
    expect(verifyIntegritySha256(m, enc('other'))).toBe(false);
  });

  it('unknown comprehension-required attributes are reported, optional ones ignored', () => {
    const b = encodeMessage({
      method: 1,
      cls: 0,
      transactionId: tid,
      attributes: [
        { type: 0x7ff0, value: new Uint8Array(3) },
        { type: 0xfff0, value: new Uint8Array(1) },
      ],
    });
    expect(decodeMessage(b).attrs.unknownRequired).toEqual([0x7ff0]);
  });

  it('malformed known attributes give bad-attribute', () => {
    const bads: RawAttribute[] = [
      { type: AttributeType.XOR_MAPPED_ADDRESS, value: Uint8Array.of(0, 3, 0, 0, 1, 2, 3, 4) },
      { type: AttributeType.MAPPED_ADDRESS, value: Uint8Array.of(0, 1, 0, 0, 1, 2, 3) },
      { type: AttributeType.ERROR_CODE, value: Uint8Array.of(0, 0, 2, 0) },
      { type: AttributeType.LIFETIME, value: Uint8Array.of(0, 0) },
      { type: AttributeType.MESSAGE_INTEGRITY, value: new Uint8Array(19) },
      { type: AttributeType.UNKNOWN_ATTRIBUTES, value: new Uint8Array(3) },
    ];
    for (const a of bads) {
      expectDecodeError(encodeMessage({ method: 1, cls: 2, transactionId: tid, attributes: [a] }), 'bad-attribute');
    }
  });

  it('IPv6 text forms are canonical (RFC 5952)', () => {
    expect(bytesToIp(ipToBytes('2001:0DB8:0000:0000:0001:0000:0000:0001')!)).toBe('2001:db8::1:0:0:1');
    expect(bytesToIp(ipToBytes('::1')!)).toBe('::1');
    expect(bytesToIp(ipToBytes('::')!)).toBe('::');
    expect(bytesToIp(ipToBytes('1:0:2:0:3:0:4:0')!)).toBe('1:0:2:0:3:0:4:0');
    expect(bytesToIp(ipToBytes('::ffff:7f00:1')!)).toBe('::ffff:127.0.0.1');
    expect(ipToBytes('1.2.3')).toBeNull();
    expect(ipToBytes('1::2::3')).toBeNull();
    expect(() => encodeXorAddress({ family: 'IPv4', address: '::1', port: 1 }, tid)).toThrow(TypeError);
  });
});

describe('stream framing and ChannelData', () => {
  it('splits STUN and padded ChannelData across arbitrary chunk boundaries', () => {
    const stun = encodeMessage(
      { method: 4, cls: 0, transactionId: new Uint8Array(12), attributes: [attr.lifetime(0)] },
      { fingerprint: true },
    );
    const cd = encodeChannelData(0x4001, enc('hello'), true);
    expect(cd.length).toBe(12);
    expect(decodeChannelData(cd).data).toEqual(enc('hello'));
    const stream = new Uint8Array([...stun, ...cd, ...stun]);
    for (const step of [1, 3, 7, stream.length]) {
      const f = new StreamFramer();
      const out = [];
      for (let i = 0; i < stream.length; i += step) out.push(...f.push(stream.subarray(i, i + step)));
      expect(out.map((x) => x.kind)).toEqual(['stun', 'channel-data', 'stun']);
      expect(f.pending).toBe(0);
    }
    // A TLS record on a plain-TCP STUN port, and a byte that starts neither STUN nor ChannelData.
    expect(() => new StreamFramer().push(Uint8Array.of(0x16, 3, 1, 0, 0xa5, 1, 0, 0, 0xa1))).toThrow(StunDecodeError);
    expect(() => new StreamFramer().push(enc('HTTP/1.1 400'))).not.toThrow(); // 'H' = 0x48 is a ChannelData prefix
    expect(() => new StreamFramer().push(Uint8Array.of(0xff, 0, 0, 0))).toThrow(StunDecodeError);
  });
});
