import { z } from 'zod';
import { CredentialsSchema, ProfileSchema } from '../profile/schema';

/** `diagnosis` domain: start and cancel a run; progress streams back as events tagged with its runId. */
export const DiagnosisChannel = {
  start: 'diagnosis:start',
  cancel: 'diagnosis:cancel',
  /** main -> renderer event; payload: `DiagnosisEvent` (common/report/progress). */
  event: 'diagnosis:event',
} as const;

export const RoomTypeSchema = z.enum(['group', 'p2p']);

/** Run ids are minted by main (`crypto.randomUUID()`); the renderer only echoes them back. */
export const RunIdSchema = z.uuid();

export const DiagnosisStartRequestSchema = z
  .strictObject({
    /** A built-in profile, by id ... */
    profileId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a profile id').optional(),
    /** ... or a whole profile (an imported one), validated like a file on disk. */
    profile: ProfileSchema.optional(),
    rooms: z
      .array(RoomTypeSchema)
      .min(1, 'choose at least one room type')
      .max(2)
      .refine((r) => new Set(r).size === r.length, 'room types must not repeat'),
    /** Overrides the profile's credentials for this run only; main never stores them. */
    credentials: CredentialsSchema.optional(),
  })
  .refine((r) => (r.profileId === undefined) !== (r.profile === undefined), {
    message: 'give exactly one of profileId or profile',
    path: ['profileId'],
  });
/** What the renderer sends (defaults not yet applied). */
export type DiagnosisStartRequest = z.input<typeof DiagnosisStartRequestSchema>;

export interface DiagnosisStarted {
  runId: string;
}

export const DiagnosisCancelRequestSchema = z.strictObject({ runId: RunIdSchema });
export type DiagnosisCancelRequest = z.infer<typeof DiagnosisCancelRequestSchema>;

/** `cancelled: false` means no such run was active (finished already, or never existed). */
export interface DiagnosisCancelled {
  cancelled: boolean;
}
