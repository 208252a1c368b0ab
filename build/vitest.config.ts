import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Two projects: `unit` runs in parallel (pure code, loopback servers, Chromium e2e);
 * `lab` drives network namespaces, nftables and coturn as root, so its files run one at a time.
 */
export default defineConfig({
  root,
  test: {
    projects: [
      {
        plugins: [vue()],
        test: {
          name: 'unit',
          root,
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'lab',
          root,
          include: ['test/lab/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
