import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // SWC instead of esbuild: Nest's dependency injection needs emitted decorator metadata.
  plugins: [swc.vite({ tsconfigFile: false, jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2023', keepClassNames: true } })],
  resolve: {
    alias: {
      '@helpdesk/contracts': fromRoot('./libs/contracts/src/index.ts'),
      '@helpdesk/common': fromRoot('./libs/common/src/index.ts'),
      '@helpdesk/testing': fromRoot('./test/support/index.ts'),
    },
  },
  test: {
    setupFiles: ['reflect-metadata'],
    include: ['apps/*/src/**/*.spec.ts', 'libs/*/src/**/*.spec.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default (one less than the cores) is one worker on a 2-core machine. The suites mostly
    // wait on PostgreSQL, NATS and Chromium, so two files at once took npm test from 25.7 to 17.6 min there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    projects: [
      // Not isolated: each worker imports the Nest stack once instead of once per file (import time went
      // from 68 s to 7 s over the ticket service's specs). The suites own their databases, streams and
      // prefixes already; the console's component tests below stay isolated (they share React Query and DOM state).
      { extends: true, test: { name: 'server', isolate: false } },
      // The web console's component tests: a DOM, React's JSX transform, and none of the server's SWC setup.
      {
        esbuild: { jsx: 'automatic' },
        resolve: { alias: { '@helpdesk/contracts': fromRoot('./libs/contracts/src/index.ts') } },
        test: {
          name: 'web',
          root: fromRoot('./apps/web'),
          include: ['src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['src/test/setup.ts'],
          testTimeout: 15_000,
        },
      },
    ],
  },
});
