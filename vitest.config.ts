import { configDefaults, defineConfig } from 'vitest/config'

/** Export condition under which workspace packages point at their TypeScript source. */
const sourceCondition = '@pg-claims/source'

export default defineConfig({
  // Tests run on the Node (SSR) side, where vitest 4 with Vite >= 6 resolves with
  // `ssr.resolve.conditions` (and passes them to its workers as `--conditions`); without it,
  // `@pg-claims/*` imports fall back to `dist`. `resolve.conditions` is the client side (browser
  // mode). vitest adds its default conditions to both.
  resolve: { conditions: [sourceCondition] },
  ssr: { resolve: { conditions: [sourceCondition] } },
  test: {
    globalSetup: ['packages/testing/src/global-setup.ts'],
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // the pack-and-install test needs the registry and minutes: `npm run test:pack` (test/pack/vitest.config.ts)
    exclude: [...configDefaults.exclude, 'test/pack/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Type tests (*.test-d.ts) run through tsc with every test file in view.
    typecheck: { enabled: true, include: ['**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
  },
})
