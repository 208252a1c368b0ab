import { ESLint } from 'eslint';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: resolve(root, 'build/eslint.config.js') });

/** The layer-rule messages ESLint reports for `code` as if it were the file at `filePath`. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('layer rule (build/eslint.config.js)', () => {
  it.each([
    [
      'electron/common/ipc/x.ts',
      "import { app } from 'electron';\nexport const a = app;\n",
      'Only electron/main and electron/preload may import Electron',
    ],
    [
      'electron/common/profile/x.ts',
      "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
      'Node built-ins',
    ],
    ['electron/common/x.ts', "import { readFileSync } from 'fs';\nexport const r = readFileSync;\n", 'Node built-ins'],
    ['electron/common/report/x.ts', "import { ref } from 'vue';\nexport const r = ref;\n", 'Vue and Pinia'],
    [
      'electron/common/report/x.ts',
      "import { listProfiles } from '../../node/profiles/store';\nexport const l = listProfiles;\n",
      'electron/common must not import electron/node',
    ],
    ['renderer/src/x.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n", 'Node built-ins'],
    [
      'renderer/src/stores/x.ts',
      "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n",
      'Only electron/main and electron/preload',
    ],
    [
      'renderer/src/stores/x.ts',
      "import { createHandlers } from '../../../electron/main/ipc/handlers';\nexport const c = createHandlers;\n",
      'renderer must not import electron/main',
    ],
    ['electron/node/cli/x.ts', "import { app } from 'electron';\nexport const a = app;\n", 'Only electron/main'],
    [
      'electron/node/cli/x.ts',
      "import { createHandlers } from '../../main/ipc/handlers';\nexport const c = createHandlers;\n",
      'electron/node must not import electron/main',
    ],
    [
      'electron/main/x.ts',
      "import { createBridge } from '../preload/bridge';\nexport const c = createBridge;\n",
      'electron/main must not import electron/preload',
    ],
    [
      'electron/preload/x.ts',
      "import { BRIDGE_SHAPE } from '../common/ipc/bridge';\nexport const b = BRIDGE_SHAPE;\n",
      'only types from electron/common',
    ],
    ['electron/preload/x.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n", 'Node built-ins'],
    // The package.json `imports` aliases are held to the same rule as relative paths.
    [
      'electron/common/report/x.ts',
      "import { listProfiles } from '#node/profiles/store';\nexport const l = listProfiles;\n",
      'electron/common must not import electron/node',
    ],
    [
      'renderer/src/stores/x.ts',
      "import { createHandlers } from '#main/ipc/handlers';\nexport const c = createHandlers;\n",
      'renderer must not import electron/main',
    ],
    [
      'electron/node/cli/x.ts',
      "import { createHandlers } from '#main/ipc/handlers';\nexport const c = createHandlers;\n",
      'electron/node must not import electron/main',
    ],
    [
      'electron/preload/x.ts',
      "import { BRIDGE_SHAPE } from '#common/ipc/bridge';\nexport const b = BRIDGE_SHAPE;\n",
      'only types from electron/common',
    ],
  ])('%s: refuses %j', async (file, code, message) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    [
      'electron/common/ipc/x.ts',
      "import { z } from 'zod';\nimport { parseProfile } from '../profile/schema';\nexport const a = [z, parseProfile];\n",
    ],
    [
      'electron/node/cli/x.ts',
      "import { main } from './main';\nimport { readFile } from 'node:fs';\nimport { parseProfile } from '../../common/profile/schema';\nexport const a = [main, readFile, parseProfile];\n",
    ],
    [
      'electron/main/x.ts',
      "import { app } from 'electron';\nimport { listProfiles } from '../node/profiles/store';\nexport const a = [app, listProfiles];\n",
    ],
    [
      'electron/preload/x.ts',
      "import { contextBridge } from 'electron';\nimport type { PathcheckBridge } from '../common/ipc/bridge';\nexport const a: PathcheckBridge | typeof contextBridge | null = null;\n",
    ],
    [
      'renderer/src/stores/x.ts',
      "import { ref } from 'vue';\nimport { IpcErrorCode } from '../../../electron/common/ipc/result';\nexport const a = [ref, IpcErrorCode];\n",
    ],
    [
      'renderer/src/stores/x.ts',
      "import { IpcErrorCode } from '#common/ipc/result';\nexport const a = IpcErrorCode;\n",
    ],
    [
      'electron/preload/x.ts',
      "import type { PathcheckBridge } from '#common/ipc/bridge';\nexport const a: PathcheckBridge | null = null;\n",
    ],
  ])('%s: allows what its layer may import', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
