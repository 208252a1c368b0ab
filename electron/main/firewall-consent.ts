import type { BaseWindow, MessageBoxOptions } from 'electron';
import type { FirewallConsent } from './ipc/firewall-handlers';

/**
 * Main's own confirmation before any elevated firewall change: a native message box that lists the
 * exact rules and where they go. The page's `consent: true` only asks for this; it never replaces
 * it, so a compromised page cannot change the firewall without the user reading and confirming
 * the rules here. "Cancel" is the default and the Escape answer. `show` is injected so tests drive
 * the dialog (Electron's `dialog.showMessageBox` in the app).
 */
export type ShowMessageBox = (
  owner: BaseWindow | undefined,
  options: MessageBoxOptions,
) => Promise<{ response: number }>;

/** At most this many rule lines in the dialog; the rest is counted (the preview shows them all). */
const MAX_LINES = 40;

export function consentOptions(c: FirewallConsent): MessageBoxOptions {
  const shown = c.rules.slice(0, MAX_LINES);
  const more = c.rules.length - shown.length;
  const detail = [
    ...c.where,
    '',
    c.action === 'apply' ? 'Rules to add:' : 'Rules to remove:',
    ...shown.map((r) => `  ${r}`),
    ...(more > 0 ? [`  \u2026 and ${more} more`] : []),
    '',
    c.action === 'apply' ? 'Undo removes exactly these rules.' : 'Only rules Pathcheck added are removed.',
    c.elevation,
  ].join('\n');
  return {
    type: 'warning',
    title: 'Pathcheck: change this computer\u2019s firewall',
    message: c.message,
    detail,
    buttons: ['Cancel', c.action === 'apply' ? 'Add these rules' : 'Remove the rules'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
}

/** The `confirm` dependency of the firewall handlers, showing the dialog over the app window. */
export function confirmWithDialog(
  show: ShowMessageBox,
  owner: () => BaseWindow | undefined,
): (c: FirewallConsent) => Promise<boolean> {
  return async (c) => (await show(owner(), consentOptions(c))).response === 1;
}
