/// <reference types="vitest/config" />
/** Long-running property tests (`npm run test:soak`): the same files as `npm test`, with SOAK=1 raising their run counts. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/scenarios/restart-replay.test.ts', 'test/scenarios/crash.test.ts'],
    // Crash runs spawn servers and kill them: one file at a time keeps the machine steady.
    fileParallelism: false,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
