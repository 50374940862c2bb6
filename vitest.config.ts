import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // @colyseus/testing binds port 2568 and Colyseus's matchmaker is process-global:
    // test files run one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // Servers started in tests log warnings and errors only (a test that reads the logs sets its own level).
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  },
});
