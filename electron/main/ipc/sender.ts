import type { IpcMainInvokeEvent } from 'electron';
import { originOf } from '../security/origin';

/** Why a sender was refused; null when it is trusted. Logged by main, never sent to the page. */
export type SenderRejection = 'not-own-window' | 'no-frame' | 'subframe' | 'foreign-origin' | null;

export interface SenderPolicy {
  /** The renderer origin (app protocol, or the dev server in development). */
  origin: string;
  /** True for the web contents of a window main created itself. */
  isOwnWebContents(id: number): boolean;
}

/**
 * Validates the sender of an IPC call: it must be one of our own windows, its main frame (not an
 * iframe), and currently showing our origin. All three, because each alone has a gap: a foreign
 * window could load our origin, an iframe shares our web contents, and our web contents could have
 * been navigated elsewhere (navigation is blocked too, but defence in depth is cheap here).
 *
 * The main frame is recognised by having no parent and the same (process, routing) id pair as the
 * web contents' main frame: distinct WebFrameMain objects can stand for the same frame, so `===`
 * would not do.
 *
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages
 */
export function checkSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  policy: SenderPolicy,
): SenderRejection {
  if (!policy.isOwnWebContents(event.sender.id)) return 'not-own-window';
  const frame = event.senderFrame;
  if (!frame) return 'no-frame';
  const main = event.sender.mainFrame;
  if (frame.parent !== null || frame.processId !== main.processId || frame.routingId !== main.routingId)
    return 'subframe';
  if (originOf(frame.url) !== policy.origin) return 'foreign-origin';
  return null;
}
