/**
 * Result of local-firewall detection: which engines exist on this machine, whether outbound is
 * dropped by default, whether policy allows local rules, and which nftables chains drop. The
 * rule generator inserts into every one of `dropChains`; the layer classifier uses the drop rules.
 */

export type OutboundDefault = 'allow' | 'drop' | 'unknown';

export type EngineName =
  | 'nftables'
  | 'iptables'
  /** Active = its OUTPUT chain drops (a rule or the policy): the variant that holds the drop. */
  | 'iptables-legacy'
  | 'iptables-nft'
  | 'ufw'
  | 'firewalld'
  | 'windows-firewall'
  | 'macos-alf'
  | 'pf';

export interface EngineState {
  name: EngineName;
  /** The tool exists (and answered). */
  present: boolean;
  /** Enabled/running, when the tool says; null when unknown (e.g. not root). */
  active: boolean | null;
  outboundDefault: OutboundDefault;
  /** One plain sentence about what was found. */
  detail: string;
}

/** A rule (or policy) that drops/rejects outbound traffic; ports null = every port. */
export interface DropRule {
  protocol: 'udp' | 'tcp' | 'any';
  ports: Array<[number, number]> | null;
  verdict: 'drop' | 'reject' | 'policy';
}

export interface DropChain {
  family: 'inet' | 'ip' | 'ip6';
  table: string;
  chain: string;
  /** Optional detail: the chain's policy drops everything not accepted. */
  policyDrop?: boolean;
  /** Optional detail: the drop/reject rules seen in it. */
  drops?: DropRule[];
}

export interface FirewallDetection {
  platform: string;
  engines: EngineState[];
  outboundDefault: OutboundDefault;
  /** Windows: false when Group Policy ignores local rules (AllowLocalFirewallRules False). */
  localRulesAllowed: boolean | null;
  dropChains: DropChain[];
  notes: string[];
}
