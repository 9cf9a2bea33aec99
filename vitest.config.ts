// Vitest's projects, one per test tier (unit, integration, e2e, browser): which files each runs, and the infrastructure setup they share.
import { defineConfig } from 'vitest/config'

const globalSetup = ['packages/testkit/src/global-setup.ts']

// unit: fast, no I/O. integration: real PostgreSQL, Kafka and registry. e2e: the whole system. browser: the explorer in chromium.
export default defineConfig({
  test: {
    // Two test files at a time: vitest's default on two cores is one, and most of a file's time is
    // spent waiting on Kafka and PostgreSQL. Measured from a fresh clone: 843 s with one, 521 s with two.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['**/src/**/*.test.ts', 'scripts/**/*.test.ts', 'tools/**/*.test.ts'], exclude: ['**/*.int.test.ts', '**/node_modules/**'] } },
      { test: { name: 'integration', include: ['**/src/**/*.int.test.ts', 'scripts/**/*.int.test.ts', 'tools/**/*.int.test.ts'], exclude: ['**/node_modules/**'], globalSetup, testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { name: 'e2e', include: ['e2e/**/*.test.ts'], globalSetup, testTimeout: 120_000, hookTimeout: 120_000 } },
      // The saga explorer in Debian's chromium, driven by playwright-core, against a system on the real infrastructure.
      { test: { name: 'browser', include: ['explorer/test/**/*.test.ts'], globalSetup, testTimeout: 120_000, hookTimeout: 180_000 } },
    ],
  },
})
