import { z } from 'zod';

/** `app` domain: facts about the running app, for the header and for bug reports. */
export const AppChannel = {
  info: 'app:info',
} as const;

/** `app:info` takes no payload. */
export const AppInfoRequestSchema = z.undefined();

export interface AppInfo {
  name: string;
  version: string;
  /** `process.platform` of the main process, e.g. `win32`, `darwin`, `linux`. */
  platform: string;
  arch: string;
  /** Runtime versions; `electron` is absent when the handlers run outside Electron (tests, harness). */
  versions: { electron?: string; chrome?: string; node: string };
}
