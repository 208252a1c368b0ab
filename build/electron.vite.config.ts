import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p: string) => resolve(root, p);

/**
 * Electron 45 runs Node 22 and Chromium well past 140; these targets only decide which syntax is
 * down-levelled, and both are below what Electron 45 (and Debian's Chromium used by the e2e) run.
 */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome130';

/**
 * Under `npm run dev` Vite injects component styles as inline `<style>` elements, which the
 * production CSP (`style-src 'self'`) forbids; relax only that directive, only on the dev server.
 * Built output keeps the meta tag exactly as written in renderer/index.html.
 */
function devCspRelax(): Plugin {
  return {
    name: 'pathcheck:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  };
}

export default defineConfig({
  main: {
    build: {
      target: NODE_TARGET,
      outDir: at('out/main'),
      // Bundle everything main uses (zod, the engine): out/main runs without node_modules.
      externalizeDeps: false,
      sourcemap: true,
      lib: { entry: at('electron/main/index.ts'), formats: ['es'], fileName: () => 'index.js' },
    },
  },
  preload: {
    build: {
      target: NODE_TARGET,
      outDir: at('out/preload'),
      // Sandboxed preloads can only `require('electron')`: bundle everything, emit CommonJS.
      externalizeDeps: false,
      sourcemap: true,
      lib: { entry: at('electron/preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
    },
  },
  renderer: {
    root: at('renderer'),
    plugins: [vue(), devCspRelax()],
    build: {
      target: CHROME_TARGET,
      outDir: at('out/renderer'),
      emptyOutDir: true,
      sourcemap: true,
      rolldownOptions: { input: at('renderer/index.html') },
    },
  },
});
