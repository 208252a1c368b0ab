import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The `pathcheck` CLI (entry: electron/node/cli/main.ts) as one ESM file for Node 20+:
 * out/cli/pathcheck.js, loaded by bin/pathcheck.js. Our own code (common, node) is bundled; packages
 * from node_modules and Node's own modules stay external (Vite's SSR default). Bundling them does
 * not work for all of them: playwright-core (PDF printing) relies on `__dirname` and its own files.
 */
export default defineConfig({
  root,
  publicDir: false,
  logLevel: 'warn',
  build: {
    target: 'node20',
    outDir: resolve(root, 'out/cli'),
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    ssr: resolve(root, 'electron/node/cli/main.ts'),
    rolldownOptions: {
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { format: 'es', entryFileNames: 'pathcheck.js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
  ssr: { target: 'node' },
});
