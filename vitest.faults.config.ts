import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:faults`: the fault drills of test/faults, apart from `npm test` because they take minutes. */
const { projects: _projects, ...baseTest } = base.test ?? {};

export default defineConfig({
  ...base,
  test: {
    ...baseTest,
    // Replaced, not merged: the drills only.
    include: ['test/faults/**/*.fault.ts'],
    // One drill at a time: each loads the machine on purpose, and two at once would starve each other's services.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/faults.json' }]] : ['default'],
  },
});
