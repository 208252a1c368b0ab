/** Why bytes could not be read as STUN. Decoding throws nothing but {@link StunDecodeError}. */
export type StunDecodeErrorCode =
  | 'truncated' // fewer bytes than the header or the Length field says
  | 'bad-magic' // bytes 4..7 are not the RFC 8489 magic cookie
  | 'bad-type' // the two top bits of the message type are not zero (RFC 8489 §5)
  | 'bad-length' // Length not a multiple of 4, or an attribute runs past the end
  | 'bad-attribute' // a known attribute has a value that breaks its syntax
  | 'bad-fingerprint' // FINGERPRINT present but wrong, or not the last attribute
  | 'not-stun'; // not a STUN message or ChannelData at all (stream framing)

export class StunDecodeError extends Error {
  override readonly name = 'StunDecodeError';
  constructor(
    readonly code: StunDecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
