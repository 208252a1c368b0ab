/**
 * Attribute value codecs (RFC 8489 §14, RFC 5780 §7, RFC 8656 §18). Each decoder throws only
 * StunDecodeError('bad-attribute'); each encoder throws RangeError/TypeError on caller mistakes.
 */
import {
  ADDRESS_FAMILY_IPV4,
  ADDRESS_FAMILY_IPV6,
  AttributeType,
  CHANGE_IP_FLAG,
  CHANGE_PORT_FLAG,
  MAGIC_COOKIE,
} from './constants';
import { bytesToIp, ipToBytes, type TransportAddress } from './address';
import { StunDecodeError } from './errors';

/** An attribute as it travels: type and value (without padding). */
export interface RawAttribute {
  type: number;
  value: Uint8Array;
}

export interface ErrorCodeValue {
  code: number;
  reason: string;
}

export interface ChangeRequestValue {
  changeIp: boolean;
  changePort: boolean;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function bad(what: string): never {
  throw new StunDecodeError('bad-attribute', what);
}

/** RFC 8489 §14.1: MAPPED-ADDRESS layout (also ALTERNATE-SERVER, RESPONSE-ORIGIN, OTHER-ADDRESS). */
export function encodeAddress(a: TransportAddress): Uint8Array {
  const ip = ipToBytes(a.address);
  if (!ip) throw new TypeError(`not an IP address: ${a.address}`);
  if ((ip.length === 4) !== (a.family === 'IPv4')) throw new TypeError(`${a.address} is not ${a.family}`);
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new RangeError(`bad port ${a.port}`);
  const out = new Uint8Array(4 + ip.length);
  out[1] = ip.length === 4 ? ADDRESS_FAMILY_IPV4 : ADDRESS_FAMILY_IPV6;
  out[2] = a.port >> 8;
  out[3] = a.port & 0xff;
  out.set(ip, 4);
  return out;
}

export function decodeAddress(v: Uint8Array): TransportAddress {
  if (v.length < 4) bad('address attribute shorter than 4 bytes');
  const family = v[1];
  const port = (v[2]! << 8) | v[3]!;
  if (family === ADDRESS_FAMILY_IPV4) {
    if (v.length !== 8) bad('IPv4 address attribute must be 8 bytes');
    return { family: 'IPv4', address: bytesToIp(v.subarray(4, 8)), port };
  }
  if (family === ADDRESS_FAMILY_IPV6) {
    if (v.length !== 20) bad('IPv6 address attribute must be 20 bytes');
    return { family: 'IPv6', address: bytesToIp(v.subarray(4, 20)), port };
  }
  return bad(`unknown address family ${family}`);
}

/** RFC 8489 §14.2: X-Port = port ^ top 16 bits of the cookie; X-Address ^ cookie (|| transaction id for IPv6). */
function xorBytes(v: Uint8Array, transactionId: Uint8Array): Uint8Array {
  const pad = new Uint8Array(16);
  new DataView(pad.buffer).setUint32(0, MAGIC_COOKIE);
  pad.set(transactionId.subarray(0, 12), 4);
  const out = Uint8Array.from(v);
  if (out.length >= 4) {
    out[2]! ^= pad[0]!;
    out[3]! ^= pad[1]!;
  }
  for (let i = 4; i < out.length; i++) out[i]! ^= pad[i - 4]!;
  return out;
}

export function encodeXorAddress(a: TransportAddress, transactionId: Uint8Array): Uint8Array {
  return xorBytes(encodeAddress(a), transactionId);
}

export function decodeXorAddress(v: Uint8Array, transactionId: Uint8Array): TransportAddress {
  if (v.length > 20) bad('XOR address attribute longer than 20 bytes');
  return decodeAddress(xorBytes(v, transactionId));
}

/** RFC 8489 §14.8: 21 reserved bits, class (3 bits, 3..6), number (0..99), UTF-8 reason phrase. */
export function encodeErrorCode(e: ErrorCodeValue): Uint8Array {
  if (!Number.isInteger(e.code) || e.code < 300 || e.code > 699)
    throw new RangeError(`error code ${e.code} not in 300..699`);
  const reason = utf8.encode(e.reason);
  const out = new Uint8Array(4 + reason.length);
  out[2] = Math.floor(e.code / 100);
  out[3] = e.code % 100;
  out.set(reason, 4);
  return out;
}

export function decodeErrorCode(v: Uint8Array): ErrorCodeValue {
  if (v.length < 4) bad('ERROR-CODE shorter than 4 bytes');
  const cls = v[2]! & 0x07;
  const num = v[3]!;
  if (cls < 3 || cls > 6 || num > 99) bad(`ERROR-CODE class ${cls} number ${num} out of range`);
  return { code: cls * 100 + num, reason: utf8Decoder.decode(v.subarray(4)) };
}

/** RFC 8489 §14.9: a list of 16-bit attribute types. */
export function encodeUnknownAttributes(types: number[]): Uint8Array {
  const out = new Uint8Array(types.length * 2);
  types.forEach((t, i) => {
    out[i * 2] = t >> 8;
    out[i * 2 + 1] = t & 0xff;
  });
  return out;
}

export function decodeUnknownAttributes(v: Uint8Array): number[] {
  if (v.length % 2 !== 0) bad('UNKNOWN-ATTRIBUTES length is odd');
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 2) out.push((v[i]! << 8) | v[i + 1]!);
  return out;
}

export function encodeUint32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

function decodeUint32(v: Uint8Array, name: string): number {
  if (v.length !== 4) bad(`${name} must be 4 bytes`);
  return new DataView(v.buffer, v.byteOffset, 4).getUint32(0);
}

/** RFC 5780 §7.2: 32 bits, flag A (change IP) = 0x4, flag B (change port) = 0x2. */
export function encodeChangeRequest(c: ChangeRequestValue): Uint8Array {
  return encodeUint32((c.changeIp ? CHANGE_IP_FLAG : 0) | (c.changePort ? CHANGE_PORT_FLAG : 0));
}

export function decodeChangeRequest(v: Uint8Array): ChangeRequestValue {
  const n = decodeUint32(v, 'CHANGE-REQUEST');
  return { changeIp: (n & CHANGE_IP_FLAG) !== 0, changePort: (n & CHANGE_PORT_FLAG) !== 0 };
}

/** RFC 5780 §7.5: 16-bit port then 2 bytes of padding inside the value. */
export function encodeResponsePort(port: number): Uint8Array {
  return Uint8Array.of(port >> 8, port & 0xff, 0, 0);
}

/** RFC 8656 §18.7: protocol number in the first byte, then RFFU. */
export function encodeRequestedTransport(protocol: number): Uint8Array {
  return Uint8Array.of(protocol & 0xff, 0, 0, 0);
}

export const encodeText = (s: string): Uint8Array => utf8.encode(s);
export const decodeText = (v: Uint8Array): string => utf8Decoder.decode(v);

/** Every attribute this codec understands, decoded. Multi-valued ones keep every instance. */
export interface ParsedAttributes {
  mappedAddress?: TransportAddress;
  xorMappedAddress?: TransportAddress;
  username?: string;
  messageIntegrity?: Uint8Array;
  messageIntegritySha256?: Uint8Array;
  fingerprint?: number;
  errorCode?: ErrorCodeValue;
  unknownAttributes?: number[];
  realm?: string;
  nonce?: string;
  software?: string;
  alternateServer?: TransportAddress;
  changeRequest?: ChangeRequestValue;
  responseOrigin?: TransportAddress;
  otherAddress?: TransportAddress;
  responsePort?: number;
  lifetime?: number;
  requestedTransport?: number;
  /** REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): 0x01 IPv4, 0x02 IPv6. */
  requestedAddressFamily?: number;
  channelNumber?: number;
  xorRelayedAddress?: TransportAddress[];
  xorPeerAddress?: TransportAddress[];
  data?: Uint8Array;
  /** Comprehension-required types (< 0x8000) we do not know: RFC 8489 §7.3.1 says answer 420. */
  unknownRequired: number[];
}

const KNOWN = new Set<number>(Object.values(AttributeType));

/** Turns the raw list into typed values; the first instance wins for single-valued attributes. */
export function parseAttributes(attrs: RawAttribute[], transactionId: Uint8Array): ParsedAttributes {
  const p: ParsedAttributes = { unknownRequired: [] };
  const T = AttributeType;
  for (const { type, value: v } of attrs) {
    switch (type) {
      case T.MAPPED_ADDRESS:
        p.mappedAddress ??= decodeAddress(v);
        break;
      case T.XOR_MAPPED_ADDRESS:
        p.xorMappedAddress ??= decodeXorAddress(v, transactionId);
        break;
      case T.USERNAME:
        p.username ??= decodeText(v);
        break;
      case T.MESSAGE_INTEGRITY:
        if (v.length !== 20) bad('MESSAGE-INTEGRITY must be 20 bytes');
        p.messageIntegrity ??= v;
        break;
      case T.MESSAGE_INTEGRITY_SHA256:
        if (v.length < 16 || v.length > 32 || v.length % 4 !== 0)
          bad('MESSAGE-INTEGRITY-SHA256 must be 16..32 bytes, multiple of 4');
        p.messageIntegritySha256 ??= v;
        break;
      case T.FINGERPRINT:
        p.fingerprint ??= decodeUint32(v, 'FINGERPRINT');
        break;
      case T.ERROR_CODE:
        p.errorCode ??= decodeErrorCode(v);
        break;
      case T.UNKNOWN_ATTRIBUTES:
        p.unknownAttributes ??= decodeUnknownAttributes(v);
        break;
      case T.REALM:
        p.realm ??= decodeText(v);
        break;
      case T.NONCE:
        p.nonce ??= decodeText(v);
        break;
      case T.SOFTWARE:
        p.software ??= decodeText(v);
        break;
      case T.ALTERNATE_SERVER:
        p.alternateServer ??= decodeAddress(v);
        break;
      case T.CHANGE_REQUEST:
        p.changeRequest ??= decodeChangeRequest(v);
        break;
      case T.RESPONSE_ORIGIN:
        p.responseOrigin ??= decodeAddress(v);
        break;
      case T.OTHER_ADDRESS:
        p.otherAddress ??= decodeAddress(v);
        break;
      case T.RESPONSE_PORT:
        if (v.length !== 4) bad('RESPONSE-PORT must be 4 bytes');
        p.responsePort ??= (v[0]! << 8) | v[1]!;
        break;
      case T.LIFETIME:
        p.lifetime ??= decodeUint32(v, 'LIFETIME');
        break;
      case T.REQUESTED_TRANSPORT:
        if (v.length !== 4) bad('REQUESTED-TRANSPORT must be 4 bytes');
        p.requestedTransport ??= v[0]!;
        break;
      case T.REQUESTED_ADDRESS_FAMILY:
        if (v.length !== 4) bad('REQUESTED-ADDRESS-FAMILY must be 4 bytes');
        p.requestedAddressFamily ??= v[0]!;
        break;
      case T.CHANNEL_NUMBER:
        if (v.length !== 4) bad('CHANNEL-NUMBER must be 4 bytes');
        p.channelNumber ??= (v[0]! << 8) | v[1]!;
        break;
      case T.XOR_RELAYED_ADDRESS:
        (p.xorRelayedAddress ??= []).push(decodeXorAddress(v, transactionId));
        break;
      case T.XOR_PEER_ADDRESS:
        (p.xorPeerAddress ??= []).push(decodeXorAddress(v, transactionId));
        break;
      case T.DATA:
        p.data ??= v;
        break;
      default:
        if (type < 0x8000 && !KNOWN.has(type)) p.unknownRequired.push(type);
    }
  }
  return p;
}

/** Builders for the attributes a client sends; XOR ones need the message's transaction id. */
export const attr = {
  mappedAddress: (a: TransportAddress): RawAttribute => ({
    type: AttributeType.MAPPED_ADDRESS,
    value: encodeAddress(a),
  }),
  xorMappedAddress: (a: TransportAddress, tid: Uint8Array): RawAttribute => ({
    type: AttributeType.XOR_MAPPED_ADDRESS,
    value: encodeXorAddress(a, tid),
  }),
  xorPeerAddress: (a: TransportAddress, tid: Uint8Array): RawAttribute => ({
    type: AttributeType.XOR_PEER_ADDRESS,
    value: encodeXorAddress(a, tid),
  }),
  xorRelayedAddress: (a: TransportAddress, tid: Uint8Array): RawAttribute => ({
    type: AttributeType.XOR_RELAYED_ADDRESS,
    value: encodeXorAddress(a, tid),
  }),
  alternateServer: (a: TransportAddress): RawAttribute => ({
    type: AttributeType.ALTERNATE_SERVER,
    value: encodeAddress(a),
  }),
  responseOrigin: (a: TransportAddress): RawAttribute => ({
    type: AttributeType.RESPONSE_ORIGIN,
    value: encodeAddress(a),
  }),
  otherAddress: (a: TransportAddress): RawAttribute => ({ type: AttributeType.OTHER_ADDRESS, value: encodeAddress(a) }),
  username: (s: string): RawAttribute => ({ type: AttributeType.USERNAME, value: encodeText(s) }),
  realm: (s: string): RawAttribute => ({ type: AttributeType.REALM, value: encodeText(s) }),
  nonce: (s: string): RawAttribute => ({ type: AttributeType.NONCE, value: encodeText(s) }),
  software: (s: string): RawAttribute => ({ type: AttributeType.SOFTWARE, value: encodeText(s) }),
  errorCode: (code: number, reason: string): RawAttribute => ({
    type: AttributeType.ERROR_CODE,
    value: encodeErrorCode({ code, reason }),
  }),
  unknownAttributes: (types: number[]): RawAttribute => ({
    type: AttributeType.UNKNOWN_ATTRIBUTES,
    value: encodeUnknownAttributes(types),
  }),
  changeRequest: (c: ChangeRequestValue): RawAttribute => ({
    type: AttributeType.CHANGE_REQUEST,
    value: encodeChangeRequest(c),
  }),
  responsePort: (port: number): RawAttribute => ({
    type: AttributeType.RESPONSE_PORT,
    value: encodeResponsePort(port),
  }),
  lifetime: (seconds: number): RawAttribute => ({ type: AttributeType.LIFETIME, value: encodeUint32(seconds) }),
  requestedTransport: (protocol: number): RawAttribute => ({
    type: AttributeType.REQUESTED_TRANSPORT,
    value: encodeRequestedTransport(protocol),
  }),
  /** RFC 8656 §18.6: family byte, then 3 bytes RFFU (zero). */
  requestedAddressFamily: (family: 4 | 6): RawAttribute => ({
    type: AttributeType.REQUESTED_ADDRESS_FAMILY,
    value: Uint8Array.of(family === 6 ? ADDRESS_FAMILY_IPV6 : ADDRESS_FAMILY_IPV4, 0, 0, 0),
  }),
  channelNumber: (n: number): RawAttribute => ({
    type: AttributeType.CHANNEL_NUMBER,
    value: Uint8Array.of(n >> 8, n & 0xff, 0, 0),
  }),
  data: (bytes: Uint8Array): RawAttribute => ({ type: AttributeType.DATA, value: bytes }),
};
