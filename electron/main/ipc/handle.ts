import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import { requestSchemas, type Handlers, type InvokeChannel } from '#common/ipc/contract';
import { fail, IpcErrorCode, type IpcResult } from '#common/ipc/result';
import { jsonShapeProblem, type JsonShapeLimits } from '#common/json-shape';
import { formatPath } from '#common/profile/schema';
import { checkSender, type SenderPolicy } from './sender';

export interface HandleOptions {
  policy: SenderPolicy;
  /** Where refusals and handler crashes are reported; main's console by default. */
  log?: (message: string) => void;
}

/** The first few schema issues as one sentence, with field paths (`rooms[0]: …`). */
export function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `invalid request: ${issues.join('; ')}${more}`;
}

/**
 * Bounds on the shape of any payload, checked before its schema sees it. Every legitimate payload is
 * JSON data a few levels deep (a profile, a handful of WebRTC checks, a report's text); zod and the
 * schemas' refinements recurse, so a page could otherwise make them overflow the stack (200,000
 * nested arrays) or spend seconds on a million-key object.
 */
export const PAYLOAD_LIMITS: JsonShapeLimits = {
  /** Nesting of objects and arrays (a profile is 4 deep, a WebRTC check's evidence about 6). */
  depth: 32,
  /** Objects, arrays and primitive values in all. */
  nodes: 200_000,
  /** Characters of all strings and keys together (an imported report may be 4 MiB of text). */
  chars: 8 * 1024 * 1024,
};

/**
 * Why `payload` is not JSON data within {@link PAYLOAD_LIMITS}, naming where; null when it is.
 * `undefined` is allowed (an absent optional field).
 */
export function payloadProblem(payload: unknown): string | null {
  const problem = jsonShapeProblem(payload, PAYLOAD_LIMITS);
  if (!problem) return null;
  return problem.path ? `${formatPath(problem.path)}: ${problem.message}` : `the request ${problem.message}`;
}

/**
 * Wraps one handler for `ipcMain.handle`: check the sender, bound and parse the payload with the
 * channel's schema, call the handler, and always answer with a result (never throw across IPC, not
 * even when parsing itself throws). This is the only place main accepts input from a renderer.
 */
export function wrapHandler<C extends InvokeChannel>(
  channel: C,
  handler: Handlers[C],
  options: HandleOptions,
): (event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, payload?: unknown) => Promise<IpcResult<unknown>> {
  const log = options.log ?? ((m: string) => console.warn(m));
  const schema: z.ZodType = requestSchemas[channel];
  return async (event, payload) => {
    const rejection = checkSender(event, options.policy);
    if (rejection) {
      log(`[ipc] ${channel}: refused sender (${rejection}, url=${event.senderFrame?.url ?? 'none'})`);
      return fail(IpcErrorCode.forbiddenSender, 'This request did not come from the Pathcheck window.');
    }
    let request: unknown;
    try {
      const problem = payloadProblem(payload);
      if (problem) return fail(IpcErrorCode.invalidPayload, `invalid request: ${problem}`);
      const parsed = schema.safeParse(payload);
      if (!parsed.success) return fail(IpcErrorCode.invalidPayload, describeIssues(parsed.error));
      request = parsed.data;
    } catch (e) {
      // A schema that throws instead of reporting an issue: still the page's input that was wrong.
      log(`[ipc] ${channel}: payload check failed: ${(e as Error)?.stack ?? String(e)}`);
      return fail(IpcErrorCode.invalidPayload, 'invalid request: the payload could not be checked.');
    }
    try {
      const result = await (handler as (request: unknown) => Promise<IpcResult<unknown>>)(request);
      if (!isResult(result)) {
        log(`[ipc] ${channel}: handler answered something that is not a result`);
        return fail(IpcErrorCode.internal, 'Something went wrong inside Pathcheck; the details are in its log.');
      }
      return result;
    } catch (e) {
      log(`[ipc] ${channel}: handler failed: ${(e as Error)?.stack ?? String(e)}`);
      return fail(IpcErrorCode.internal, 'Something went wrong inside Pathcheck; the details are in its log.');
    }
  };
}

/** A typed result: `{ ok: true, value }` or `{ ok: false, error: { code, message } }` with strings. */
function isResult(r: unknown): r is IpcResult<unknown> {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } | null };
  if (o.ok === true) return 'value' in o;
  return (
    o.ok === false &&
    typeof o.error === 'object' &&
    o.error !== null &&
    typeof o.error.code === 'string' &&
    typeof o.error.message === 'string'
  );
}

/** Registers every handler of the contract, each through {@link wrapHandler}. */
export function registerHandlers(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, options: HandleOptions): void {
  for (const channel of Object.keys(requestSchemas) as InvokeChannel[]) {
    ipcMain.handle(channel, wrapHandler(channel, handlers[channel], options));
  }
}
