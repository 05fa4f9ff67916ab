import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests spawn the built binary and the SARIF multitool; both take seconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default leaves one core idle (cores - 1: one worker on CI's two), yet most test time
    // is spent waiting on spawned CLIs and fake endpoints: a worker per core makes the suite shorter.
    maxWorkers: availableParallelism(),
    globalSetup: ['test/global-tmpdir.ts'],
    setupFiles: ['test/setup-fast-check.ts'],
    sequence: { sequencer: SlowestFirst },
  },
});
