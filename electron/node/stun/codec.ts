/**
 * STUN message codec (RFC 8489 §5, §14; RFC 8656 §12 ChannelData). Bytes in, values out; no sockets.
 * `decodeMessage` throws nothing but StunDecodeError, whatever the input.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  AttributeType,
  CHANNEL_NUMBER_MAX,
  CHANNEL_NUMBER_MIN,
  FINGERPRINT_XOR,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  MESSAGE_INTEGRITY_LENGTH,
  MESSAGE_INTEGRITY_SHA256_LENGTH,
  StunClass,
  TRANSACTION_ID_LENGTH,
} from './constants';
import { parseAttributes, type ParsedAttributes, type RawAttribute } from './attributes';
import { StunDecodeError } from './errors';

export interface StunMessage {
  cls: StunClass;
  method: number;
  transactionId: Uint8Array;
  attributes: RawAttribute[];
}

/** A decoded message; `attributes` excludes what RFC 8489 §14.5/§14.7 says to ignore. */
export interface DecodedMessage extends StunMessage {
  /** The exact bytes of the message (header + Length), for integrity checks. */
  raw: Uint8Array;
  attrs: ParsedAttributes;
  /** Byte offsets of the attribute headers, when present. */
  integrityOffset?: number;
  integritySha256Offset?: number;
  fingerprintOffset?: number;
}

export interface EncodeOptions {
  /** Adds MESSAGE-INTEGRITY (HMAC-SHA1) with this key (RFC 8489 §14.5). */
  integrityKey?: Uint8Array;
  /** Adds MESSAGE-INTEGRITY-SHA256 with this key (RFC 8489 §14.6). */
  integritySha256Key?: Uint8Array;
  /** Adds FINGERPRINT (RFC 8489 §14.7). */
  fingerprint?: boolean;
  /** Padding byte value; RFC 8489 §14 says any value. 0x20 reproduces the RFC 5769 vectors. */
  padByte?: number;
}

export interface DecodeOptions {
  /** Datagrams must end where Length says; allow trailing bytes when false. Default true. */
  exactLength?: boolean;
}

// ---- message type bits (RFC 8489 §5, figure 3) ----

export function messageType(method: number, cls: StunClass): number {
  if (!Number.isInteger(method) || method < 0 || method > 0xfff) throw new RangeError(`method ${method} out of range`);
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

export function splitMessageType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = (((type & 0x0100) >> 7) | ((type & 0x0010) >> 4)) as StunClass;
  return { method, cls };
}

// ---- CRC-32 (ISO 3309 / ITU-T V.42, as RFC 8489 §14.7 requires) ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- credentials (RFC 8489 §9.1.1, §9.2.2) ----

/**
 * Minimal SASLprep (RFC 4013): map "commonly mapped to nothing" (B.1) to nothing, non-ASCII spaces (C.1.2)
 * to SPACE, then NFKC. Prohibited-output and bidi checks are not done: we only ever prepare our own input.
 */
export function saslprep(s: string): string {
  const mapped = s
    // RFC 4013 B.1 lists combining marks on purpose: they are removed one by one, not as clusters.
    // eslint-disable-next-line no-misleading-character-class
    .replace(/[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
    .replace(/[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ');
  return mapped.normalize('NFKC');
}

/** Short-term credential key: the (SASLprep'd) password itself (RFC 8489 §9.1.1). */
export function shortTermKey(password: string): Uint8Array {
  return new TextEncoder().encode(saslprep(password));
}

/** Long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2). */
export function longTermKey(username: string, realm: string, password: string): Uint8Array {
  const input = `${saslprep(username)}:${saslprep(realm)}:${saslprep(password)}`;
  return new Uint8Array(createHash('md5').update(input, 'utf8').digest());
}

// ---- encode ----

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Encodes a message, appending MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT as asked (RFC 8489 §14.5-14.7). */
export function encodeMessage(msg: StunMessage, opts: EncodeOptions = {}): Uint8Array {
  if (msg.transactionId.length !== TRANSACTION_ID_LENGTH) throw new RangeError('transaction id must be 12 bytes');
  let bodyLen = 0;
  for (const a of msg.attributes) {
    if (a.value.length > 0xffff) throw new RangeError(`attribute 0x${a.type.toString(16)} too long`);
    bodyLen += 4 + pad4(a.value.length);
  }
  const total =
    HEADER_LENGTH +
    bodyLen +
    (opts.integrityKey ? 4 + MESSAGE_INTEGRITY_LENGTH : 0) +
    (opts.integritySha256Key ? 4 + MESSAGE_INTEGRITY_SHA256_LENGTH : 0) +
    (opts.fingerprint ? 8 : 0);
  if (total - HEADER_LENGTH > 0xffff) throw new RangeError('message too long');
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint16(0, messageType(msg.method, msg.cls));
  view.setUint32(4, MAGIC_COOKIE);
  out.set(msg.transactionId, 8);
  let off = HEADER_LENGTH;
  for (const a of msg.attributes) {
    view.setUint16(off, a.type);
    view.setUint16(off + 2, a.value.length);
    out.set(a.value, off + 4);
    const end = off + 4 + pad4(a.value.length);
    if (opts.padByte) out.fill(opts.padByte, off + 4 + a.value.length, end);
    off = end;
  }
  const appendHmac = (type: number, algo: 'sha1' | 'sha256', key: Uint8Array, len: number): void => {
    view.setUint16(2, off + 4 + len - HEADER_LENGTH); // Length covers up to and including this attribute
    const mac = createHmac(algo, key).update(out.subarray(0, off)).digest();
    view.setUint16(off, type);
    view.setUint16(off + 2, len);
    out.set(mac.subarray(0, len), off + 4);
    off += 4 + len;
  };
  if (opts.integrityKey)
    appendHmac(AttributeType.MESSAGE_INTEGRITY, 'sha1', opts.integrityKey, MESSAGE_INTEGRITY_LENGTH);
  if (opts.integritySha256Key) {
    appendHmac(
      AttributeType.MESSAGE_INTEGRITY_SHA256,
      'sha256',
      opts.integritySha256Key,
      MESSAGE_INTEGRITY_SHA256_LENGTH,
    );
  }
  if (opts.fingerprint) {
    view.setUint16(2, off + 8 - HEADER_LENGTH);
    const fp = (crc32(out.subarray(0, off)) ^ FINGERPRINT_XOR) >>> 0;
    view.setUint16(off, AttributeType.FINGERPRINT);
    view.setUint16(off + 2, 4);
    view.setUint32(off + 4, fp);
    off += 8;
  }
  view.setUint16(2, off - HEADER_LENGTH);
  return out;
}

// ---- decode ----

/** Cheap test used to demultiplex STUN from other traffic (RFC 8489 §7.3, RFC 7983). */
export function isStunMessage(b: Uint8Array): boolean {
  return (
    b.length >= HEADER_LENGTH &&
    (b[0]! & 0xc0) === 0 &&
    b[4] === 0x21 &&
    b[5] === 0x12 &&
    b[6] === 0xa4 &&
    b[7] === 0x42
  );
}

export function decodeMessage(input: Uint8Array, opts: DecodeOptions = {}): DecodedMessage {
  if (!(input instanceof Uint8Array)) throw new StunDecodeError('not-stun', 'input is not bytes');
  if (input.length < HEADER_LENGTH)
    throw new StunDecodeError('truncated', `only ${input.length} bytes, the header needs 20`);
  if ((input[0]! & 0xc0) !== 0)
    throw new StunDecodeError('bad-type', 'the two top bits of the message type must be zero');
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (view.getUint32(4) !== MAGIC_COOKIE) throw new StunDecodeError('bad-magic', 'magic cookie missing');
  const length = view.getUint16(2);
  if (length % 4 !== 0) throw new StunDecodeError('bad-length', `Length ${length} is not a multiple of 4`);
  if (HEADER_LENGTH + length > input.length)
    throw new StunDecodeError('truncated', `Length ${length} runs past the ${input.length} bytes received`);
  if (opts.exactLength !== false && HEADER_LENGTH + length !== input.length) {
    throw new StunDecodeError(
      'bad-length',
      `Length ${length} leaves ${input.length - HEADER_LENGTH - length} bytes over`,
    );
  }
  const raw = input.subarray(0, HEADER_LENGTH + length);
  const { method, cls } = splitMessageType(view.getUint16(0));
  const transactionId = raw.slice(8, 20);
  const attributes: RawAttribute[] = [];
  const msg: DecodedMessage = { cls, method, transactionId, attributes, raw, attrs: { unknownRequired: [] } };
  let off = HEADER_LENGTH;
  let ignoreRest = false;
  while (off < raw.length) {
    if (off + 4 > raw.length) throw new StunDecodeError('bad-length', 'attribute header cut short');
    const type = view.getUint16(off);
    const len = view.getUint16(off + 2);
    if (off + 4 + len > raw.length)
      throw new StunDecodeError('bad-length', `attribute 0x${type.toString(16)} runs past the message`);
    const value = raw.subarray(off + 4, off + 4 + len);
    if (type === AttributeType.FINGERPRINT && msg.fingerprintOffset === undefined) {
      // RFC 8489 §14.7: FINGERPRINT is last, covers everything before it.
      if (len !== 4 || off + 8 !== raw.length)
        throw new StunDecodeError('bad-fingerprint', 'FINGERPRINT must be the last attribute, 4 bytes');
      const want = (crc32(fingerprintInput(raw, off)) ^ FINGERPRINT_XOR) >>> 0;
      if (view.getUint32(off + 4) !== want) throw new StunDecodeError('bad-fingerprint', 'FINGERPRINT does not match');
      msg.fingerprintOffset = off;
      attributes.push({ type, value });
    } else if (!ignoreRest) {
      if (type === AttributeType.MESSAGE_INTEGRITY && msg.integrityOffset === undefined) msg.integrityOffset = off;
      if (type === AttributeType.MESSAGE_INTEGRITY_SHA256) {
        msg.integritySha256Offset = off;
        ignoreRest = true; // RFC 8489 §14.6: only FINGERPRINT may follow
      }
      // RFC 8489 §14.5: after MESSAGE-INTEGRITY only -SHA256 and FINGERPRINT count.
      if (
        msg.integrityOffset === undefined ||
        off === msg.integrityOffset ||
        type === AttributeType.MESSAGE_INTEGRITY_SHA256
      ) {
        attributes.push({ type, value });
      }
    }
    off += 4 + pad4(len);
  }
  if (off !== raw.length) throw new StunDecodeError('bad-length', 'last attribute padding runs past the message');
  msg.attrs = parseAttributes(attributes, transactionId);
  return msg;
}

function fingerprintInput(raw: Uint8Array, fpOffset: number): Uint8Array {
  const copy = raw.slice(0, fpOffset);
  new DataView(copy.buffer).setUint16(2, fpOffset + 8 - HEADER_LENGTH);
  return copy;
}

function hmacInput(raw: Uint8Array, attrOffset: number, valueLength: number): Uint8Array {
  const copy = raw.slice(0, attrOffset);
  new DataView(copy.buffer).setUint16(2, attrOffset + 4 + valueLength - HEADER_LENGTH);
  return copy;
}

function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, Length adjusted to end after it. */
export function verifyIntegrity(msg: DecodedMessage, key: Uint8Array): boolean {
  const off = msg.integrityOffset;
  if (off === undefined) return false;
  const got = msg.raw.subarray(off + 4, off + 4 + MESSAGE_INTEGRITY_LENGTH);
  const want = createHmac('sha1', key)
    .update(hmacInput(msg.raw, off, MESSAGE_INTEGRITY_LENGTH))
    .digest();
  return safeEqual(got, want);
}

/** RFC 8489 §14.6: as above with HMAC-SHA256, possibly truncated to 16..32 bytes. */
export function verifyIntegritySha256(msg: DecodedMessage, key: Uint8Array): boolean {
  const off = msg.integritySha256Offset;
  if (off === undefined) return false;
  const len = new DataView(msg.raw.buffer, msg.raw.byteOffset).getUint16(off + 2);
  const got = msg.raw.subarray(off + 4, off + 4 + len);
  const want = createHmac('sha256', key)
    .update(hmacInput(msg.raw, off, len))
    .digest()
    .subarray(0, len);
  return safeEqual(got, want);
}

/** True when a FINGERPRINT is present (decode has already checked its value). */
export function hasValidFingerprint(msg: DecodedMessage): boolean {
  return msg.fingerprintOffset !== undefined;
}

// ---- ChannelData (RFC 8656 §12.4) and stream framing (RFC 8489 §6.2.2, RFC 8656 §12.5) ----

export function isChannelData(b: Uint8Array): boolean {
  return b.length >= 4 && b[0]! >= 0x40 && b[0]! <= 0x4f;
}

export function encodeChannelData(channel: number, data: Uint8Array, padForStream = false): Uint8Array {
  if (channel < CHANNEL_NUMBER_MIN || channel > CHANNEL_NUMBER_MAX)
    throw new RangeError(`channel ${channel} out of range`);
  if (data.length > 0xffff) throw new RangeError('ChannelData payload too long');
  const out = new Uint8Array(4 + (padForStream ? pad4(data.length) : data.length));
  out[0] = channel >> 8;
  out[1] = channel & 0xff;
  out[2] = data.length >> 8;
  out[3] = data.length & 0xff;
  out.set(data, 4);
  return out;
}

export function decodeChannelData(b: Uint8Array): { channel: number; data: Uint8Array } {
  if (!isChannelData(b)) throw new StunDecodeError('not-stun', 'not ChannelData');
  const len = (b[2]! << 8) | b[3]!;
  if (4 + len > b.length) throw new StunDecodeError('truncated', 'ChannelData shorter than its Length');
  return { channel: (b[0]! << 8) | b[1]!, data: b.subarray(4, 4 + len) };
}

export type StreamFrame =
  { kind: 'stun'; bytes: Uint8Array } | { kind: 'channel-data'; channel: number; data: Uint8Array };

/**
 * Splits a TCP/TLS byte stream into STUN messages (length from the header, RFC 8489 §6.2.2) and
 * ChannelData (padded to 4 bytes on streams, RFC 8656 §12.5). Throws StunDecodeError('not-stun') when
 * the stream carries something else: a stream cannot resynchronise, so the caller closes it.
 */
export class StreamFramer {
  private buf: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): StreamFrame[] {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    const frames: StreamFrame[] = [];
    let off = 0;
    for (;;) {
      const rest = merged.length - off;
      if (rest < 4) break;
      const first = merged[off]!;
      const len = (merged[off + 2]! << 8) | merged[off + 3]!;
      if ((first & 0xc0) === 0) {
        if (
          rest >= 8 &&
          !(
            merged[off + 4] === 0x21 &&
            merged[off + 5] === 0x12 &&
            merged[off + 6] === 0xa4 &&
            merged[off + 7] === 0x42
          )
        ) {
          throw new StunDecodeError('not-stun', 'stream carries a message without the magic cookie');
        }
        if (len % 4 !== 0) throw new StunDecodeError('bad-length', 'STUN Length not a multiple of 4 on a stream');
        if (rest < HEADER_LENGTH + len) break;
        frames.push({ kind: 'stun', bytes: merged.slice(off, off + HEADER_LENGTH + len) });
        off += HEADER_LENGTH + len;
      } else if (first >= 0x40 && first <= 0x4f) {
        const size = 4 + pad4(len);
        if (rest < size) break;
        frames.push({
          kind: 'channel-data',
          channel: (first << 8) | merged[off + 1]!,
          data: merged.slice(off + 4, off + 4 + len),
        });
        off += size;
      } else {
        throw new StunDecodeError(
          'not-stun',
          `stream byte 0x${first.toString(16)} starts neither STUN nor ChannelData`,
        );
      }
    }
    this.buf = merged.slice(off);
    return frames;
  }

  /** Bytes held back waiting for the rest of a message. */
  get pending(): number {
    return this.buf.length;
  }
}
