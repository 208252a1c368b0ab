import { z } from 'zod';
import { QualityResultSchema, VerdictQualitySchema } from '../quality/schema';
import { CHECK_KIND_NAMES } from './kinds';
import { ReasonSchema } from './reason';

/**
 * The report (docs/architecture.md, "The report"; schemaVersion 1). Other code and outside checks read this JSON,
 * so fields are only ever added (optional), never renamed. The zod schema is the single source of
 * truth: types are derived from it, and it validates reports crossing IPC or imported from disk.
 */

export const REPORT_SCHEMA_VERSION = 1;

const portRange = z.tuple([z.number().int().min(0).max(65535), z.number().int().min(0).max(65535)]);

export const CheckStatusSchema = z.enum(['pass', 'fail', 'warn', 'skipped']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** The kinds of check (./kinds.ts holds them with their labels). */
export const CheckKindSchema = z.enum(CHECK_KIND_NAMES);
export type CheckKind = z.infer<typeof CheckKindSchema>;

/** Where a block happened: this machine's own firewall, the network's edge, or a proxy. */
export const LayerSchema = z.enum(['local', 'perimeter', 'proxy', 'unknown']);
export type Layer = z.infer<typeof LayerSchema>;

export const FamilySchema = z.union([z.literal(4), z.literal(6)]);

export const CheckResultSchema = z.object({
  /** Stable id, e.g. `turn:udp:turn.example.com:3478`, `webrtc:relay:tls:turn.example.com:443`. */
  id: z.string().min(1).max(300),
  kind: CheckKindSchema,
  transport: z.enum(['udp', 'tcp', 'tls']).optional(),
  host: z.string().max(300).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  /**
   * Address family the check ran over (./family.ts): an IPv6 twin's id ends in `/v6`; absent for name
   * checks and in older reports (read with familyOf).
   */
  family: FamilySchema.optional(),
  /** For `webrtc` checks: which in-app test made it (absent in older reports; see analysis/ids.ts). */
  webrtcTest: z.enum(['relay', 'relay-gather', 'stun-gather', 'direct']).optional(),
  status: CheckStatusSchema,
  rttMs: z.number().nonnegative().optional(),
  /** Machine-readable, one of REASONS (./reason.ts); an unknown one from another version reads as `unknown`. */
  reason: ReasonSchema,
  /** One plain-language sentence. */
  detail: z.string().max(2000),
  evidence: z.record(z.string(), z.unknown()).default({}),
  /** For failures: which layer most likely blocked (see analysis/layer). */
  layer: LayerSchema.optional(),
  durationMs: z.number().nonnegative().optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const RangeResultSchema = z.object({
  id: z.string().min(1).max(100),
  protocol: z.enum(['udp', 'tcp']),
  host: z.string().max(300),
  required: z.array(portRange),
  allowed: z.array(portRange),
  blocked: z.array(portRange),
  probes: z.number().int().nonnegative(),
  /** Address family the range was measured over (an IPv6 range's id ends in `/v6`; absent in older reports: IPv4). */
  family: FamilySchema.optional(),
  /** Largest gap (in ports) between two probes that were not bisected further; 1 = exact. */
  resolution: z.number().int().nonnegative(),
  confidence: z.enum(['measured', 'inferred']).default('measured'),
  layer: LayerSchema.optional(),
  notes: z.array(z.string()).default([]),
});
export type RangeResult = z.infer<typeof RangeResultSchema>;

export const NatTypeSchema = z.enum([
  'endpoint-independent',
  'address-dependent',
  'address-and-port-dependent',
  'none',
  'unknown',
]);
export type NatType = z.infer<typeof NatTypeSchema>;

export const NatResultSchema = z.object({
  mapping: NatTypeSchema,
  filtering: NatTypeSchema,
  behaveCompliant: z.boolean().nullable(),
  publicAddress: z.string().nullable(),
  method: z.enum(['rfc5780', 'two-destinations', 'none']).default('none'),
  notes: z.array(z.string()).default([]),
});
export type NatResult = z.infer<typeof NatResultSchema>;

/** The NAT of a run (or a family) before, or without, any measurement. */
export function unknownNat(): NatResult {
  return {
    mapping: 'unknown',
    filtering: 'unknown',
    behaveCompliant: null,
    publicAddress: null,
    method: 'none',
    notes: [],
  };
}

export const GroupPathSchema = z.enum(['direct-udp', 'turn-udp', 'turn-tcp', 'turn-tls', 'blocked']);
export const P2pPathSchema = z.enum(['direct-udp', 'direct-tcp', 'turn-udp', 'turn-tcp', 'turn-tls', 'blocked']);
export type GroupPath = z.infer<typeof GroupPathSchema>;
export type P2pPath = z.infer<typeof P2pPathSchema>;
export type MediaPath = P2pPath;
export const LatencySchema = z.enum(['optimal', 'marginal', 'high', 'none']);
export type Latency = z.infer<typeof LatencySchema>;
export const ConfidenceSchema = z.enum(['measured', 'inferred']);
export type Confidence = z.infer<typeof ConfidenceSchema>;

const verdictFields = {
  latency: LatencySchema,
  confidence: ConfidenceSchema,
  evidence: z.array(z.string()),
  notes: z.array(z.string()),
  /** One plain-language sentence for the helpdesk, e.g. "Group calls will relay through TURN over TLS…". */
  summary: z.string().optional(),
  /** The TURN server the chosen rung uses, when it is a relay. */
  via: z.string().optional(),
  /** The address family media will use on the chosen path (./family.ts; absent in older reports and when blocked). */
  family: FamilySchema.optional(),
  /** Call quality of the chosen path (issue 10): grade, what it supports, measured rate. */
  quality: VerdictQualitySchema.optional(),
};
export const GroupVerdictSchema = z.object({ path: GroupPathSchema, ...verdictFields });
export const P2pVerdictSchema = z.object({ path: P2pPathSchema, ...verdictFields });
export type GroupVerdict = z.infer<typeof GroupVerdictSchema>;
export type P2pVerdict = z.infer<typeof P2pVerdictSchema>;
export type Verdict = GroupVerdict | P2pVerdict;
export type RoomType = 'group' | 'p2p';

export const BlockedRequirementSchema = z.object({
  protocol: z.enum(['udp', 'tcp']),
  ports: z.array(portRange),
  to: z.array(z.string()),
  /** What needs it, e.g. "TURN over UDP" or "Group media". */
  purpose: z.string().optional(),
  checks: z.array(z.string()).default([]),
  layer: LayerSchema.default('unknown'),
  /** Peers can be anywhere: the rule must not be limited to `to` or the profile's addresses. */
  anyDestination: z.boolean().optional(),
});
export type BlockedRequirement = z.infer<typeof BlockedRequirementSchema>;

/**
 * What local-firewall detection found on the diagnosed machine when the report was made, so the
 * report alone says where a fix goes (`rules --from`, `pathcheck fix --from`). Absent in older
 * reports and when detection did not run. Identifiers are re-validated where a rule uses them.
 */
export const LocalFirewallSchema = z.object({
  platform: z.enum(['linux', 'win32', 'darwin']),
  engines: z
    .array(z.object({ name: z.string().max(40), present: z.boolean(), active: z.boolean().nullable() }))
    .max(16),
  dropChains: z
    .array(z.object({ family: z.enum(['inet', 'ip', 'ip6']), table: z.string().max(64), chain: z.string().max(64) }))
    .max(64),
  outboundDefault: z.enum(['allow', 'drop', 'unknown']),
  localRulesAllowed: z.boolean(),
  blockingRules: z
    .array(z.object({ name: z.string().max(300), source: z.enum(['local', 'policy', 'third-party']) }))
    .max(256)
    .default([]),
});
export type LocalFirewall = z.infer<typeof LocalFirewallSchema>;

export const InterfaceSchema = z.object({
  name: z.string(),
  addresses: z.array(
    z.object({
      address: z.string(),
      family: z.enum(['IPv4', 'IPv6']),
      internal: z.boolean(),
      cidr: z.string().nullable().optional(),
    }),
  ),
  tunnel: z.boolean().default(false),
});

/** A proxy that asked for credentials (HTTP 407): which proxy, which schemes, whether the browser got through. */
export const ProxyAuthSchema = z.object({
  required: z.literal(true),
  /** The first scheme the proxy offered (Basic, Negotiate, NTLM, Digest, …), or `unknown`. */
  scheme: z.string().max(40),
  schemes: z.array(z.string().max(40)).max(16).default([]),
  /** `host:port` of the proxy that asked. */
  proxy: z.string().max(300).optional(),
  /** True when the engine sent credentials (from the proxy URL) and the proxy still answered 407. */
  credentialsGiven: z.boolean().optional(),
  /** In the app: whether Chromium signed in to the proxy (a relay test got through it). */
  browserAuthenticated: z.boolean().optional(),
});
export type ProxyAuth = z.infer<typeof ProxyAuthSchema>;

/** IPv6 on this machine: whether it can be tried at all, and what a helpdesk should know about it. */
export const Ipv6FactsSchema = z.object({
  /** A global/ULA address and an IPv6 default route: the engine runs IPv6 variants only then. */
  usable: z.boolean(),
  defaultRoute: z.object({ iface: z.string(), gateway: z.string().nullable() }).nullable(),
  addresses: z
    .array(
      z.object({
        iface: z.string(),
        address: z.string(),
        scope: z.enum(['global', 'ula', 'link', 'host', 'other']),
        temporary: z.boolean(),
        deprecated: z.boolean(),
      }),
    )
    .default([]),
  temporaryAddresses: z.number().int().nonnegative().default(0),
  tunnels: z.array(z.string()).default([]),
  /** The IPv4 default route uses a VPN tunnel, IPv6 leaves beside it. */
  bypassesVpn: z.boolean().default(false),
  notes: z.array(z.string()).default([]),
});

export const HostFactsSchema = z.object({
  os: z.string(),
  hostname: z.string().optional(),
  interfaces: z.array(InterfaceSchema).default([]),
  defaultInterface: z.string().nullable().optional(),
  vpn: z.boolean(),
  vpnReason: z.string().nullable().optional(),
  /** Linux: read from /proc/net/if_inet6 and /proc/net/ipv6_route; absent where not read. */
  ipv6: Ipv6FactsSchema.optional(),
  proxy: z.object({ url: z.string(), source: z.string(), auth: ProxyAuthSchema.optional() }).nullable(),
});
export type HostFacts = z.infer<typeof HostFactsSchema>;

export const ReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  id: z.string().optional(),
  tool: z.object({ name: z.literal('pathcheck'), version: z.string() }),
  profile: z.object({
    id: z.string(),
    name: z.string(),
    notice: z.string().optional(),
    /** The values the profile's `${name}` placeholders were filled in with for this run. */
    parameters: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), z.string().max(253)).optional(),
    /** When the profile's address ranges came from its published feed: the feed and when it was fetched. */
    addressFeed: z.object({ url: z.string().max(2000), fetchedAt: z.string().max(40) }).optional(),
  }),
  rooms: z.array(z.enum(['group', 'p2p'])).default(['group', 'p2p']),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  /** False when the overall deadline or a cancel cut the run short; unfinished checks are `skipped`. */
  complete: z.boolean().default(true),
  host: HostFactsSchema,
  checks: z.array(CheckResultSchema),
  ranges: z.array(RangeResultSchema).default([]),
  nat: NatResultSchema,
  verdicts: z.object({ group: GroupVerdictSchema.optional(), p2p: P2pVerdictSchema.optional() }),
  firewall: z.object({
    blocked: z.array(BlockedRequirementSchema),
    layer: LayerSchema,
    local: LocalFirewallSchema.optional(),
  }),
  /** Findings that are not a verdict: TLS inspection, proxy, VPN, engine/WebRTC disagreement. */
  findings: z
    .array(z.object({ code: z.string(), severity: z.enum(['info', 'warn', 'error']), message: z.string() }))
    .default([]),
  /** Call-quality measurements of the paths that work, per sensor (absent in older reports). */
  quality: z.array(QualityResultSchema).max(64).optional(),
});
export type Report = z.infer<typeof ReportSchema>;
