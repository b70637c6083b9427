import { defineConfig } from 'vitest/config'

// `npm run test:pack`: the pack-and-install test only (it needs the npm registry and a few minutes,
// so the main run leaves it out). Same server and source condition as the root config.
const sourceCondition = '@pg-claims/source'

export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  resolve: { conditions: [sourceCondition] },
  ssr: { resolve: { conditions: [sourceCondition] } },
  test: {
    globalSetup: ['packages/testing/src/global-setup.ts'],
    include: ['test/pack/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})
