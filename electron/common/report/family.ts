/**
 * Address families in the report (docs/architecture.md, "Dual stack"). Every rung runs over each
 * family the server and this machine have: the IPv4 check keeps its id, its IPv6 twin is the same
 * id with `/v6` appended, and both say `family`. Ranges follow the same rule. A verdict names the
 * family media will use. A call works when either family works; an IPv6 failure beside a working
 * IPv4 is a `warn` finding (FAMILY_FINDING.v6Blocked), never a failure.
 */
export type Family = 4 | 6;

export const V6_SUFFIX = '/v6';

/** The id of the IPv6 twin of a check or range: `turn:udp:turn.example.com:3478/v6`. */
export function v6Id(id: string): string {
  return id.endsWith(V6_SUFFIX) ? id : `${id}${V6_SUFFIX}`;
}

/** The IPv4 id a check or range is the twin of (itself when it is not an IPv6 variant). */
export function baseId(id: string): string {
  return id.endsWith(V6_SUFFIX) ? id.slice(0, -V6_SUFFIX.length) : id;
}

/** The id of a check or range of `family`, from its IPv4 id. */
export function familyId(id: string, family: Family): string {
  return family === 6 ? v6Id(id) : baseId(id);
}

/**
 * The family a check or range ran over: its `family`, or for an entry without one (older reports,
 * name checks) 6 when its id is an IPv6 twin's, else 4.
 */
export function familyOf(entry: { id: string; family?: Family | undefined }): Family {
  return entry.family ?? (entry.id.endsWith(V6_SUFFIX) ? 6 : 4);
}

/** "IPv4" / "IPv6": the one spelling in every sentence and table. */
export const FAMILY_LABEL = { 4: 'IPv4', 6: 'IPv6' } as const satisfies Record<Family, string>;

/** Finding codes the dual-stack analysis emits (the report's `findings[].code`). */
export const FAMILY_FINDING = {
  /** IPv6 is advertised (AAAA + an IPv6 route here) but a rung that works over IPv4 fails over IPv6. */
  v6Blocked: 'ipv6-blocked',
  /** Only IPv6 works (an IPv6-only network, or IPv4 blocked): media will use IPv6. */
  v6Only: 'ipv6-only',
  /** The address a STUN server saw over IPv6 is not this machine's own: NPTv6 or NAT66 in between. */
  nat66: 'ipv6-translated',
  /** IPv6 reaches the servers with this machine's own address: no NAT, only a firewall in between. */
  noNat6: 'ipv6-no-nat',
} as const;

/** The cost of a black-holed IPv6 path, in the words of the warning. */
export const V6_BLOCKED_MESSAGE = 'IPv6 is advertised but blocked: clients may wait before falling back to IPv4';
