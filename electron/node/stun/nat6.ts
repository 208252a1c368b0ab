/**
 * IPv6 usually has no NAT: the address a STUN server sees is this machine's own global address,
 * and only a stateful firewall stands between peers. Some networks still translate: NPTv6
 * (RFC 6296, stateless prefix translation — the prefix changes, the port never does) or a stateful
 * NAT66 (address and usually port rewritten, like IPv4 NAPT). This pure function tells them apart
 * from one STUN answer: the mapped address against the local socket and this machine's addresses.
 */
import { canonicalIp, ipToBytes } from './address';
import type { NatBehaviour } from './nat';

export type Ipv6Translation = 'none' | 'nptv6' | 'nat66' | 'unknown';

export interface Ipv6NatInput {
  /** The local socket the Binding was sent from (address may be `::` for an unbound socket). */
  local: { address: string; port: number };
  /** XOR-MAPPED-ADDRESS of the answer. */
  mapped: { address: string; port: number };
  /** Every address of this machine (os.networkInterfaces), to match an unbound socket's source. */
  hostAddresses?: string[];
}

export interface Ipv6NatResult {
  translation: Ipv6Translation;
  /** For the report's NAT fields: `none` without translation, `unknown` when translated (not measured further). */
  mapping: NatBehaviour;
  publicAddress: string | null;
  /** How many leading bits the local and mapped addresses share (the untranslated part). */
  commonPrefixBits?: number;
  notes: string[];
}

function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < 16; i++) {
    const x = a[i]! ^ b[i]!;
    if (x === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(x) - 24;
  }
  return bits;
}

/** Whether two addresses differ in at most one 16-bit word after `fromBit` (RFC 6296 §3.2 checksum-neutral rewrite). */
function onlyOneWordAdjusted(a: Uint8Array, b: Uint8Array, fromBit: number): boolean {
  let changed = 0;
  for (let w = Math.ceil(fromBit / 16); w < 8; w++)
    if (a[2 * w] !== b[2 * w] || a[2 * w + 1] !== b[2 * w + 1]) changed++;
  return changed <= 1;
}

export function classifyIpv6Nat(input: Ipv6NatInput): Ipv6NatResult {
  const mappedBytes = ipToBytes(input.mapped.address);
  if (!mappedBytes || mappedBytes.length !== 16) {
    return {
      translation: 'unknown',
      mapping: 'unknown',
      publicAddress: null,
      notes: ['The server did not report an IPv6 mapped address.'],
    };
  }
  const mapped = canonicalIp(input.mapped.address);
  const locals = [input.local.address, ...(input.hostAddresses ?? [])]
    .map((a) => ({ text: canonicalIp(a), bytes: ipToBytes(a) }))
    .filter(
      (a): a is { text: string; bytes: Uint8Array } => a.bytes !== null && a.bytes.length === 16 && a.text !== '::',
    );
  const samePort = input.mapped.port === input.local.port;
  if (locals.some((l) => l.text === mapped) && samePort) {
    return {
      translation: 'none',
      mapping: 'none',
      publicAddress: mapped,
      notes: [
        'IPv6 has no NAT here: servers and peers see this machine\u2019s own address; only a firewall can stand in the way.',
      ],
    };
  }
  if (locals.length === 0) {
    return {
      translation: 'unknown',
      mapping: 'unknown',
      publicAddress: mapped,
      notes: ['This machine\u2019s IPv6 address is not known, so a translation cannot be told apart.'],
    };
  }
  // Compare with the local address closest to the mapped one (the one that likely sent it).
  const best = locals
    .map((l) => ({ ...l, bits: commonPrefix(l.bytes, mappedBytes) }))
    .sort((a, b) => b.bits - a.bits)[0]!;
  if (samePort && best.text !== mapped) {
    // Stateless: the interface identifier survives (or one word changes for checksum neutrality).
    const iidKept = onlyOneWordAdjusted(best.bytes, mappedBytes, 64);
    if (iidKept) {
      return {
        translation: 'nptv6',
        mapping: 'endpoint-independent',
        publicAddress: mapped,
        commonPrefixBits: best.bits,
        notes: [
          `The network translates the IPv6 prefix (NPTv6, RFC 6296): ${best.text} appears as ${mapped}. Ports are kept, so direct media still works; firewall rules must name the translated prefix.`,
        ],
      };
    }
  }
  return {
    translation: 'nat66',
    mapping: 'unknown',
    publicAddress: mapped,
    commonPrefixBits: best.bits,
    notes: [
      `The network rewrites IPv6 addresses${samePort ? '' : ' and ports'} (stateful NAT66): ${best.text} port ${input.local.port} appears as ${mapped} port ${input.mapped.port}. Peer-to-peer over IPv6 may need a relay, as behind an IPv4 NAT.`,
    ],
  };
}
