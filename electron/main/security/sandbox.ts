import type { App } from 'electron';

/**
 * Sandbox every renderer, including any a later module might create without saying so. The window
 * factory also sets `sandbox: true` literally. Must run before `app` is ready.
 *
 * Checklist: https://www.electronjs.org/docs/latest/tutorial/security#4-enable-process-sandboxing
 */
export function enableSandbox(app: Pick<App, 'enableSandbox'>): void {
  app.enableSandbox();
}
