/**
 * STUN / TURN protocol constants, named as in the RFCs that define them.
 * RFC 8489 = STUN, RFC 8656 = TURN, RFC 5780 = NAT behaviour discovery.
 */

/** RFC 8489 §5: fixed value in bytes 4..7 of every STUN message. */
export const MAGIC_COOKIE = 0x2112a442;
/** RFC 8489 §5: the header is 20 bytes (type, length, cookie, 96-bit transaction id). */
export const HEADER_LENGTH = 20;
/** RFC 8489 §5: the transaction id is 96 bits. */
export const TRANSACTION_ID_LENGTH = 12;
/** RFC 8489 §14.5: FINGERPRINT is CRC-32 of the message XOR this value ("STUN"). */
export const FINGERPRINT_XOR = 0x5354554e;
/** RFC 8489 §14.5 / §14.6: HMAC-SHA1 is 20 bytes, HMAC-SHA256 is 32 bytes (may be truncated to >= 16). */
export const MESSAGE_INTEGRITY_LENGTH = 20;
export const MESSAGE_INTEGRITY_SHA256_LENGTH = 32;
/** RFC 8489 §6.1: UDP messages should fit a 576-byte path MTU; we accept up to this on receive. */
export const MAX_MESSAGE_LENGTH = 65535 + HEADER_LENGTH;

/** RFC 8489 §5: the two class bits (C1 C0) of the message type. */
export const StunClass = {
  request: 0b00,
  indication: 0b01,
  successResponse: 0b10,
  errorResponse: 0b11,
} as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

/** RFC 8489 §18.2 (Binding) and RFC 8656 §17 (TURN methods). */
export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003, // RFC 8656 §17
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;
export type StunMethod = (typeof StunMethod)[keyof typeof StunMethod];

/** Attribute types. Comprehension-required are 0x0000-0x7FFF, optional 0x8000-0xFFFF (RFC 8489 §14). */
export const AttributeType = {
  MAPPED_ADDRESS: 0x0001, // RFC 8489 §14.1
  CHANGE_REQUEST: 0x0003, // RFC 5780 §7.2
  USERNAME: 0x0006, // RFC 8489 §14.3
  MESSAGE_INTEGRITY: 0x0008, // RFC 8489 §14.5
  ERROR_CODE: 0x0009, // RFC 8489 §14.8
  UNKNOWN_ATTRIBUTES: 0x000a, // RFC 8489 §14.9
  CHANNEL_NUMBER: 0x000c, // RFC 8656 §18.1
  LIFETIME: 0x000d, // RFC 8656 §18.2
  XOR_PEER_ADDRESS: 0x0012, // RFC 8656 §18.3
  DATA: 0x0013, // RFC 8656 §18.4
  REALM: 0x0014, // RFC 8489 §14.9
  NONCE: 0x0015, // RFC 8489 §14.10
  XOR_RELAYED_ADDRESS: 0x0016, // RFC 8656 §18.5
  REQUESTED_ADDRESS_FAMILY: 0x0017, // RFC 8656 §18.6
  REQUESTED_TRANSPORT: 0x0019, // RFC 8656 §18.7
  MESSAGE_INTEGRITY_SHA256: 0x001c, // RFC 8489 §14.6
  XOR_MAPPED_ADDRESS: 0x0020, // RFC 8489 §14.2
  RESPONSE_PORT: 0x0027, // RFC 5780 §7.5
  SOFTWARE: 0x8022, // RFC 8489 §14.14
  ALTERNATE_SERVER: 0x8023, // RFC 8489 §14.15
  FINGERPRINT: 0x8028, // RFC 8489 §14.7
  RESPONSE_ORIGIN: 0x802b, // RFC 5780 §7.3
  OTHER_ADDRESS: 0x802c, // RFC 5780 §7.4
} as const;

/** RFC 8489 §14.1: address family byte of (XOR-)MAPPED-ADDRESS and friends. */
export const ADDRESS_FAMILY_IPV4 = 0x01;
export const ADDRESS_FAMILY_IPV6 = 0x02;

/** RFC 5780 §7.2: CHANGE-REQUEST flag bits. */
export const CHANGE_IP_FLAG = 0x04;
export const CHANGE_PORT_FLAG = 0x02;

/** RFC 8656 §18.7: REQUESTED-TRANSPORT protocol number for UDP (IANA protocol 17). */
export const TRANSPORT_UDP = 17;

/** RFC 8489 §14.8 and RFC 8656 §19: error codes we react to. */
export const ErrorCode = {
  TryAlternate: 300,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  UnknownAttribute: 420,
  AllocationMismatch: 437,
  StaleNonce: 438,
  WrongCredentials: 441,
  UnsupportedTransportProtocol: 442,
  /** RFC 8656 §19: the server does not relay the requested address family. */
  AddressFamilyNotSupported: 440,
  PeerAddressFamilyMismatch: 443,
  AllocationQuotaReached: 486,
  ServerError: 500,
  InsufficientCapacity: 508,
} as const;

/** RFC 8656 §12: ChannelData messages start with a channel number in 0x4000-0x4FFF. */
export const CHANNEL_NUMBER_MIN = 0x4000;
export const CHANNEL_NUMBER_MAX = 0x4fff;

/**
 * Our own retransmission schedule (not RFC 8489 §6.2.1's Rc=7, which lasts ~40 s):
 * first RTO 250 ms, doubling, always capped by the probe deadline.
 */
export const DEFAULT_RTO_MS = 250;
export const DEFAULT_DEADLINE_MS = 3000;
