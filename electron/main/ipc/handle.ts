import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import { requestSchemas, type Handlers, type InvokeChannel } from '../../common/ipc/contract';
import { fail, IpcErrorCode, type IpcResult } from '../../common/ipc/result';
import { formatPath } from '../../common/profile/schema';
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
 * Wraps one handler for `ipcMain.handle`: check the sender, parse the payload with the channel's
 * schema, call the handler, and always answer with a result (never throw across IPC). This is the
 * only place main accepts input from a renderer.
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
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return fail(IpcErrorCode.invalidPayload, describeIssues(parsed.error));
    try {
      return await (handler as (request: unknown) => Promise<IpcResult<unknown>>)(parsed.data);
    } catch (e) {
      log(`[ipc] ${channel}: handler failed: ${(e as Error)?.stack ?? String(e)}`);
      return fail(IpcErrorCode.internal, 'Something went wrong inside Pathcheck; the details are in its log.');
    }
  };
}

/** Registers every handler of the contract, each through {@link wrapHandler}. */
export function registerHandlers(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, options: HandleOptions): void {
  for (const channel of Object.keys(requestSchemas) as InvokeChannel[]) {
    ipcMain.handle(channel, wrapHandler(channel, handlers[channel], options));
  }
}
