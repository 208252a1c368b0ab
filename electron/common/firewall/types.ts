import type { PortRange } from '../net/ranges';
import type { Layer } from '../report/schema';

/**
 * The validated, target-neutral description of what must be opened. Every generator reads only
 * this shape, and every value in it has passed the allow-lists in `input-check.ts` — so a generator
 * can embed values as they are and never needs to quote or escape anything.
 */

/** Tag carried by every generated rule (comment, group, anchor, description) so undo is exact. */
export const FIREWALL_TAG = 'pathcheck' as const;
export type FirewallTag = typeof FIREWALL_TAG;

export type FirewallProtocol = 'udp' | 'tcp';

/** One outbound allow requirement after merging: one protocol, one destination set, some ports. */
export interface FirewallRequirement {
  /** Rule name from a fixed alphabet (`pathcheck-udp-1`); used as object/rule name by targets. */
  name: string;
  protocol: FirewallProtocol;
  /** Normalized (sorted, merged) inclusive port intervals. */
  ports: PortRange[];
  /** IPv4 addresses or CIDRs (profile `addresses.ipv4`, else IPs listed in the report). */
  ipv4: string[];
  /** IPv6 addresses or CIDRs. */
  ipv6: string[];
  /** Host names from the report's `to`; only targets that support FQDNs use them. */
  hostnames: string[];
  /** True when nothing narrower is known (no profile addresses, report listed no destination). */
  anyDestination: boolean;
  /** Why it is needed, e.g. "TURN over UDP"; plain words from a fixed alphabet. */
  purposes: string[];
  /** Check ids that showed the block. */
  checks: string[];
  layer: Layer;
}

/** A TURN or signaling name that a proxy must tunnel (CONNECT) and never bump, or a PAC must send DIRECT. */
export interface RelayHost {
  host: string;
  /** TCP ports (TURN-TCP/TLS, signaling). */
  ports: number[];
  role: 'turn' | 'signaling';
}

/** Where an nftables drop lives (from local-firewall detection); generators insert there. */
export interface NftChainHint {
  family: 'inet' | 'ip' | 'ip6';
  table: string;
  chain: string;
}

export interface ProxyAddress {
  host: string;
  port: number;
}

export interface FirewallInput {
  tag: FirewallTag;
  profileId: string;
  /** Blocking layer the report found overall. */
  layer: Layer;
  requirements: FirewallRequirement[];
  relayHosts: RelayHost[];
  /** The HTTP proxy other traffic should keep using (PAC); null when none is known. */
  proxy: ProxyAddress | null;
  /** nftables: the chain that drops (the first of `nftChains`; kept for callers that set one). */
  nft?: NftChainHint;
  /**
   * nftables: every chain the report found dropping (a packet must get through each base chain on
   * the output hook, so an accept is needed in each). Neither this nor `nft`: the chains are not
   * known, and the nftables output finds them when it runs.
   */
  nftChains?: NftChainHint[];
  /**
   * iptables: which iptables holds the drop (Debian's `iptables` package ships both; `iptables`
   * is one of them by alternatives). Absent or empty: not known, plain `iptables`.
   */
  iptablesVariants?: IptablesVariant[];
}

/** `iptables-legacy` (the x_tables kernel API, invisible to nft) or `iptables-nft` (tables nft also lists). */
export type IptablesVariant = 'legacy' | 'nft';

export type RuleFormat = 'shell' | 'nft' | 'powershell' | 'cmd' | 'json' | 'config' | 'pac' | 'squid';

export type FirewallTargetKind = 'local-linux' | 'local-windows' | 'local-macos' | 'perimeter' | 'cloud' | 'proxy';

/** Thrown when any value that would reach a rule fails validation. Names the field; nothing is rewritten. */
export class FirewallInputError extends Error {
  override readonly name = 'FirewallInputError';
  constructor(
    /** Dotted path of the offending value, e.g. `firewall.blocked[0].to[1]`. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
