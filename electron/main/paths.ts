import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory of the built main bundle (`out/main`, inside app.asar when packaged). */
const mainDir = dirname(fileURLToPath(import.meta.url));

export interface AppPaths {
  /** Built renderer served by the app protocol (`out/renderer`). */
  rendererDir: string;
  /** Built preload (`out/preload/index.cjs`). */
  preload: string;
  /**
   * Built-in profiles. Packaged: electron-builder copies `resources/profiles` to
   * `<resources>/profiles` (extraResources), outside app.asar so helpdesks can read them.
   * Unpackaged (`npm start`, `npm run dev`, Playwright): the repository's `resources/profiles`.
   */
  profilesDir: string;
}

export function appPaths(isPackaged: boolean, resourcesPath: string): AppPaths {
  return {
    rendererDir: join(mainDir, '../renderer'),
    preload: join(mainDir, '../preload/index.cjs'),
    profilesDir: isPackaged ? join(resourcesPath, 'profiles') : join(mainDir, '../../resources/profiles'),
  };
}
