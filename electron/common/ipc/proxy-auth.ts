import { z } from 'zod';

/**
 * `proxy-auth` domain: when a proxy answers Chromium with 407 (the in-app relay test goes through
 * the system proxy), main asks the page for credentials with a `proxy-auth:request` event and the
 * page answers on `proxy-auth:answer`. Main decides: it only asks for the proxy it resolved itself,
 * sends the answer to that proxy only, and keeps it (in memory, for this session) only when the
 * user ticked "remember". The page never learns anything but who asks and for which scheme.
 */
export const ProxyAuthChannel = {
  /** main -> renderer event; payload: `ProxyAuthPrompt`. */
  request: 'proxy-auth:request',
  /** renderer -> main: the user's answer (or cancel) to one prompt. */
  answer: 'proxy-auth:answer',
} as const;

/** What the page shows: which proxy asks, how, and under which realm. No URL of the request. */
export interface ProxyAuthPrompt {
  /** Opaque, one per prompt; the answer must carry it back. */
  id: string;
  /** `host:port` of the proxy that asked. */
  proxy: string;
  /** `basic`, `digest`, `ntlm`, `negotiate` (as Chromium names it). */
  scheme: string;
  /** As the proxy announced it (untrusted text; shown, never interpreted). */
  realm: string;
  /** True when credentials for this proxy were just rejected. */
  retry: boolean;
}

const promptId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'must be a prompt id');

export const ProxyAuthAnswerRequestSchema = z.discriminatedUnion('cancel', [
  z.strictObject({ id: promptId, cancel: z.literal(true) }),
  z.strictObject({
    id: promptId,
    cancel: z.literal(false),
    username: z.string().min(1, 'must not be empty').max(256),
    password: z.string().max(1024),
    /** Keep for this app session (memory only) so the next challenge from this proxy is answered. */
    remember: z.boolean().default(false),
  }),
]);
export type ProxyAuthAnswerRequest = z.input<typeof ProxyAuthAnswerRequestSchema>;

export interface ProxyAuthAnswered {
  /** False when the prompt was no longer pending (answered, timed out or unknown). */
  accepted: boolean;
}
