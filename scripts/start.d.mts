// Types for scripts/start.mjs (`npm start` / `npm run dev`), so TypeScript tests can import it.
import type * as nodeFs from 'node:fs';

export type Fs = Pick<typeof nodeFs, 'existsSync' | 'readFileSync'>;
export interface FetchResult {
  ok: boolean;
  /** What the installer printed (bounded). */
  output: string;
}
export type Prepared = { ok: true; binary: string; fetched: boolean } | { ok: false; code: number; line: string };

export const CLI_HINT: string;
export const FETCH_DEADLINE_MS: number;
export function minimumNode(range: string | undefined): [number, number, number] | null;
export function olderThan(version: string, min: [number, number, number]): boolean;
export function electronBinary(deps: { electronDir: string; env: Record<string, string | undefined>; fs: Fs }): {
  path: string;
  present: boolean;
};
export function electronPackage(deps: { electronDir: string; fs: Fs }): { version: string; nodeRange: string } | null;
export function failureReason(output: string): string;
export function prepareStart(deps: {
  nodeVersion: string;
  electronDir: string;
  env: Record<string, string | undefined>;
  fs: Fs;
  fetchBinary: (electronDir: string) => Promise<FetchResult>;
  log?: (line: string) => void;
}): Promise<Prepared>;
export function fetchWithElectronInstaller(
  electronDir: string,
  options?: { deadlineMs?: number },
): Promise<FetchResult>;
