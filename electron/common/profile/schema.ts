import { z } from 'zod';
import { isCidr, isHostname, isIP } from '../net/validate';
import { ProfileQualitySchema } from '../quality/schema';
import { isPlainText } from '../text/sanitize';
import { isTemplateHost, PARAMETER_NAME, parameterValueProblem, patternProblem, placeholdersIn } from './parameters';

/**
 * The provider profile (docs/architecture.md, "Provider profiles"; schemaVersion 1). Every host, port, range and CIDR is
 * validated strictly on load; an invalid profile is refused with the field path and the reason and
 * is never half-used. Unknown keys are refused too, so a typo (`"trun"`) is an error, not a no-op.
 */

export const PROFILE_SCHEMA_VERSION = 1;

/** A profile id: also how reports name their profile. Only ever looked up, never used as a path. */
export const PROFILE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export function isProfileId(s: unknown): s is string {
  return typeof s === 'string' && PROFILE_ID_PATTERN.test(s);
}

/** Text shown to people (UI, terminal, PDF, rule comments): no control, bidi or invisible characters. */
const plain = (max: number) =>
  z.string().max(max).refine(isPlainText, 'must not contain control, bidirectional or invisible formatting characters');

const host = z
  .string()
  .max(253)
  .refine((h) => isHostname(h) || isIP(h) || isTemplateHost(h), {
    message:
      'must be a hostname (letters, digits, hyphens, dots), an IP address, or a hostname with ${parameter} placeholders',
  });

const port = z.number().int('must be an integer').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');

const portRange = z
  .tuple([port, port])
  .refine(([a, b]) => a <= b, { message: 'range start must not be greater than its end' });

const portRanges = z.array(portRange).min(1, 'needs at least one port range').max(64);

const endpoint = z.strictObject({ host, port });

export const TransportSchema = z.enum(['udp', 'tcp', 'tls']);
export type Transport = z.infer<typeof TransportSchema>;

const turnServer = z.strictObject({ host, port, transport: TransportSchema });

const secret = z
  .string()
  .min(1, 'must not be empty')
  .max(1024)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), {
    message: 'must not contain control characters',
  });

export const CredentialsSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('static'), username: secret, credential: secret }),
  z.strictObject({
    type: z.literal('turn-rest'),
    secret,
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86400)
      .default(86400),
    /** Optional user part appended as `expiry:user`, as coturn's use-auth-secret accepts. */
    user: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, underscore, hyphen only')
      .optional(),
  }),
  z.strictObject({
    type: z.literal('twilio-nts'),
    accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'must look like AC followed by 32 hex digits'),
    authToken: secret,
    /** Only for tests and private deployments: where the token API lives. */
    apiBase: z.string().url().startsWith('https://', 'must be an https:// URL').optional(),
  }),
]);
export type Credentials = z.infer<typeof CredentialsSchema>;

const cidrList = (family: 4 | 6) =>
  z.array(z.string().refine((c) => isCidr(c, family), { message: `must be an IPv${family} address or CIDR` })).max(512);

const parameter = z.strictObject({
  name: z.string().regex(PARAMETER_NAME, 'lowercase letters, digits and underscores, starting with a letter, up to 32'),
  label: plain(80).min(1),
  pattern: z.string().superRefine((p, ctx) => {
    const problem = patternProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  example: plain(253).min(1),
});

/** `YYYY-MM-DD`, a real calendar date. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, 'must be a real calendar date');

/** Where a provider publishes its address ranges (fetched only when the user asks). */
export const AddressFeedSchema = z.strictObject({
  url: z.string().max(2000).url().startsWith('https://', 'must be an https:// URL'),
  /** `cidr-lines`: one CIDR per line (Zoom's Zoom.txt); `m365-endpoints`: Microsoft's endpoints JSON (ips of the given serviceArea). */
  format: z.enum(['cidr-lines', 'm365-endpoints']),
  /** m365-endpoints only: which service area's ranges (e.g. `Skype` for Teams media). */
  serviceArea: z
    .string()
    .regex(/^[A-Za-z]{1,32}$/)
    .optional(),
});
export type AddressFeed = z.infer<typeof AddressFeedSchema>;

export const ProfileSchema = z
  .strictObject({
    schemaVersion: z.literal(PROFILE_SCHEMA_VERSION, { message: `must be ${PROFILE_SCHEMA_VERSION}` }),
    id: z.string().regex(PROFILE_ID_PATTERN, 'lowercase letters, digits and hyphens, up to 64'),
    name: plain(120).min(1),
    notice: plain(1000).optional(),
    description: plain(2000).optional(),
    /** The day the provider stops the service; the notice is written from it and today's date. */
    endOfService: isoDate.optional(),
    /** Values the user fills in (`${name}` in hosts) before the profile can run. */
    parameters: z.array(parameter).max(8).optional(),
    /** Sources for the facts in this profile (URLs or document titles), and what is inferred. */
    sources: z.array(plain(300)).max(16).optional(),
    addressFeed: AddressFeedSchema.optional(),
    signaling: z.array(endpoint).max(32).default([]),
    stun: z.array(endpoint).max(32).default([]),
    turn: z.array(turnServer).max(32).default([]),
    credentials: CredentialsSchema.default({ type: 'none' }),
    group: z
      .strictObject({
        mediaServers: z.array(z.strictObject({ host })).max(32).default([]),
        udpPorts: portRanges,
      })
      .optional(),
    p2p: z
      .strictObject({
        udpPorts: portRanges,
        tcpPorts: portRanges.optional(),
      })
      .optional(),
    reflector: z.strictObject({ host }).optional(),
    addresses: z
      .strictObject({ ipv4: cidrList(4).default([]), ipv6: cidrList(6).default([]) })
      .default({ ipv4: [], ipv6: [] }),
    tls: z.strictObject({ ca: z.string().max(65536).optional() }).optional(),
    /** Rates a call needs (kbit/s); defaults 2500 / 1000 / 100 (see quality/schema.ts). */
    quality: ProfileQualitySchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.stun.length === 0 && p.turn.length === 0 && p.signaling.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['turn'],
        message: 'a profile needs at least one signaling, STUN or TURN endpoint',
      });
    }
    if (!p.group && !p.p2p) {
      ctx.addIssue({ code: 'custom', path: ['group'], message: 'a profile needs a group or a p2p section (or both)' });
    }
    const declared = p.parameters ?? [];
    declared.forEach((param, i) => {
      if (declared.findIndex((q) => q.name === param.name) !== i)
        ctx.addIssue({ code: 'custom', path: ['parameters', i, 'name'], message: `"${param.name}" is declared twice` });
      if (!patternProblem(param.pattern)) {
        const problem = parameterValueProblem(param, param.example);
        if (problem)
          ctx.addIssue({
            code: 'custom',
            path: ['parameters', i, 'example'],
            message: `does not fit the parameter: ${problem}`,
          });
      }
    });
    const used = new Set<string>();
    const visit = (h: string, path: PropertyKey[]) => {
      for (const name of placeholdersIn(h)) {
        used.add(name);
        if (!declared.some((q) => q.name === name))
          ctx.addIssue({
            code: 'custom',
            path,
            message: `uses \${${name}} but the profile declares no such parameter`,
          });
      }
    };
    p.signaling.forEach((e, i) => visit(e.host, ['signaling', i, 'host']));
    p.stun.forEach((e, i) => visit(e.host, ['stun', i, 'host']));
    p.turn.forEach((e, i) => visit(e.host, ['turn', i, 'host']));
    p.group?.mediaServers.forEach((e, i) => visit(e.host, ['group', 'mediaServers', i, 'host']));
    if (p.reflector) visit(p.reflector.host, ['reflector', 'host']);
    declared.forEach((param, i) => {
      if (!used.has(param.name))
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', i, 'name'],
          message: `"${param.name}" is not used in any host`,
        });
    });
    if (p.addressFeed?.format === 'm365-endpoints' && !p.addressFeed.serviceArea) {
      ctx.addIssue({
        code: 'custom',
        path: ['addressFeed', 'serviceArea'],
        message: 'an m365-endpoints feed needs the service area to take ranges from',
      });
    }
  });

export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;

export interface FieldError {
  /** Dotted path with indexes, e.g. `turn[1].port`. */
  path: string;
  message: string;
}

export type ProfileParseResult = { ok: true; profile: Profile } | { ok: false; errors: FieldError[] };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Validates an unknown value (already JSON-parsed) as a profile. Never throws. */
export function parseProfile(input: unknown): ProfileParseResult {
  const r = ProfileSchema.safeParse(input);
  if (r.success) return { ok: true, profile: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

/** Parses JSON text as a profile; malformed JSON is reported as an error at the root. */
export function parseProfileJson(text: string): ProfileParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ path: '(root)', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  return parseProfile(value);
}

/** Every distinct host a profile names, for DNS checks. */
export function profileHosts(p: Profile): string[] {
  const hosts = [
    ...p.signaling.map((s) => s.host),
    ...p.stun.map((s) => s.host),
    ...p.turn.map((s) => s.host),
    ...(p.group?.mediaServers.map((m) => m.host) ?? []),
    ...(p.reflector ? [p.reflector.host] : []),
  ];
  return [...new Set(hosts)];
}
