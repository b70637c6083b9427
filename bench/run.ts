import { createClaims, installHelpers } from '@pg-claims/core'
import { createTestDatabase, startScratchServer, TEST_SECRET } from '@pg-claims/testing'
import { drizzleTarget, kyselyTarget, prismaTarget } from './adapter-targets.js'
import { createHelperTables, measureHelpers } from './helpers-cost.js'
import { measureOverhead } from './overhead.js'
import { BENCH_PRE_REQUEST_SQL, benchRoleSettingsSql, measureParityCost } from './parity-cost.js'
import { type BenchReport, machineFacts, writeReport } from './report.js'
import { type BenchTargetFactory, pgTarget, recipeTargets } from './targets.js'
import { measureCacheMemory, measureVerification } from './verification.js'

const quick = process.argv.includes('--quick')
const settings = {
  overhead: { rounds: quick ? 2 : 3, millis: quick ? 300 : 800, workers: 8, poolSize: 4, users: 50 },
  delayMs: 1,
  verificationMillis: quick ? 150 : 900,
  helperRows: 100_000,
  helperRuns: quick ? 3 : 9,
  cacheTokens: quick ? 3000 : 20_000,
  cacheMaxEntries: 1000,
}
const targets: BenchTargetFactory[] = [
  pgTarget,
  kyselyTarget,
  drizzleTarget,
  prismaTarget,
  recipeTargets('one statement after BEGIN'),
  recipeTargets('separate statements (naive recipe)'),
]
const log = (line: string) => console.log(line)

const server = await startScratchServer()
try {
  const database = await createTestDatabase({
    server: server.server,
    setup: async (admin) => {
      await installHelpers(admin)
      // no RLS here: plain and claims transactions run the identical query, so the overhead rows
      // measure the claims mechanism alone (the helpers' cost in a policy has its own rows)
      await admin.query(`create table bench_items (id int primary key, owner text not null);
        insert into bench_items select g, 'user' || g from generate_series(0, 99) g;
        grant select on bench_items to authenticator, authenticated;`)
      await createHelperTables(admin, settings.helperRows)
      // PostgREST parity: a pre-request function and a per-role setting (in this database only)
      await admin.query(BENCH_PRE_REQUEST_SQL)
      const { rows } = await admin.query<{ name: string }>('select current_database() as name')
      await admin.query(benchRoleSettingsSql(rows[0]!.name))
    },
  })
  try {
    const claims = createClaims({
      secret: TEST_SECRET,
      roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
    })
    log(`pg-claims bench on PostgreSQL ${server.version}${quick ? ' (quick)' : ''}`)
    const rows = [
      ...(await measureOverhead({
        url: database.url,
        claims,
        targets,
        settings: settings.overhead,
        delayMs: settings.delayMs,
        log,
      })),
      ...(await measureParityCost({
        url: database.url,
        settings: settings.overhead,
        delayMs: settings.delayMs,
        log,
      })),
      ...(await measureVerification(settings.verificationMillis, log)),
      ...(await measureCacheMemory(settings.cacheTokens, settings.cacheMaxEntries, log)),
      ...(await measureHelpers({
        url: database.url,
        claims,
        rows: settings.helperRows,
        runs: settings.helperRuns,
        log,
      })),
    ]
    const report: BenchReport = {
      date: new Date().toISOString(),
      machine: machineFacts(server.version),
      settings: { ...settings, quick },
      rows,
    }
    console.log(`\n${writeReport(report, { quick })}`)
    const missed = rows.filter((row) => row.target && !row.target.met)
    if (missed.length > 0)
      console.log(`targets missed: ${missed.map((row) => `${row.section} / ${row.name}`).join('; ')}`)
  } finally {
    await database.drop()
  }
} finally {
  await server.stop()
}
