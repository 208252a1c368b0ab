import { z } from 'zod';
import {
  CheckKindSchema,
  CheckResultSchema,
  FamilySchema,
  NatResultSchema,
  RangeResultSchema,
  ReportSchema,
} from './schema';

/**
 * Progress of one diagnosis, streamed from the engine (CLI live view, IPC events to the renderer).
 * Every event carries the `runId` of the diagnosis it belongs to.
 */
export const PlannedCheckSchema = z.object({
  id: z.string(),
  kind: z.union([CheckKindSchema, z.literal('range')]),
  /** Short label for a live view, e.g. "TURN over TLS turn.example.com:443". */
  label: z.string(),
  /** Where the check goes, so the live views never read it out of the id. */
  transport: z.enum(['udp', 'tcp', 'tls']).optional(),
  host: z.string().max(300).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  /** The family a check or range is pinned to (an IPv6 twin's id ends in `/v6`; ./family.ts). */
  family: FamilySchema.optional(),
});
export type PlannedCheck = z.infer<typeof PlannedCheckSchema>;

export const DiagnosisEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('plan'), runId: z.string(), checks: z.array(PlannedCheckSchema) }),
  z.object({ type: z.literal('check'), runId: z.string(), result: CheckResultSchema }),
  z.object({ type: z.literal('range'), runId: z.string(), result: RangeResultSchema }),
  z.object({ type: z.literal('nat'), runId: z.string(), result: NatResultSchema }),
  z.object({ type: z.literal('done'), runId: z.string(), report: ReportSchema }),
  z.object({ type: z.literal('error'), runId: z.string(), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type DiagnosisEvent = z.infer<typeof DiagnosisEventSchema>;
