import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Two projects: `unit` (pure rules, adapters, the contract, the sandboxes' own parts) runs with no
// global setup and starts in a second; `integration` gets one Temporal dev server, one workflow
// bundle and one migrated PGlite for the whole run (test/support/globalSetup.ts).
// `npx vitest run --project unit` runs the fast half alone.

const UNIT = ['test/domain/**/*.test.ts', 'test/channels/**/*.test.ts', 'test/sandbox/**/*.test.ts', 'test/contract.test.ts'];

export default defineConfig({
  resolve: {
    // One copy of graphql for everything (type-graphql, Apollo, our code), or the schema built
    // by one is "from another module or realm" for the other.
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    reporters: ['default'],
    // Herald's own lines at warn and above (LOG_LEVEL=debug npx vitest … to see them all).
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', LOG_FORMAT: process.env.LOG_FORMAT ?? 'json' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          pool: 'forks',
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
