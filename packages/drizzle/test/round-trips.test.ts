import { createClaims, installHelpers } from '@pg-claims/core'
import { claimsDrizzle } from '@pg-claims/drizzle'
import {
  createTestDatabase,
  hostAndPortOf,
  type PgProxy,
  signToken,
  startPgProxy,
  TEST_SECRET,
  type TestDatabase,
} from '@pg-claims/testing'
import { sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { notes, notesSetupSql } from './notes-schema.js'

let database: TestDatabase
let proxy: PgProxy
let pool: pg.Pool

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(notesSetupSql)
    },
  })
  const { host, port } = hostAndPortOf(database.url)
  proxy = await startPgProxy({ upstreamHost: host, upstreamPort: port })
  pool = new pg.Pool({ connectionString: proxy.connectionString(database.url), max: 1 })
  await pool.query('select 1') // the connection is open before counting
})

afterAll(async () => {
  await pool?.end()
  await proxy?.close()
  await database?.drop()
})

/** Round trips `work` takes, counted by the proxy between the pool and the server. */
async function roundTrips(work: () => Promise<unknown>): Promise<number> {
  proxy.reset()
  await work()
  return proxy.roundTrips()
}

it('costs a claims transaction the round trips of a plain Drizzle transaction', async () => {
  const claims = createClaims({ secret: TEST_SECRET, roles: { allowed: ['authenticated'] } })
  const db = claimsDrizzle(drizzle(pool), claims)
  const alice = db.withClaims(await signToken({ sub: 'alice', role: 'authenticated' }))
  await alice.execute(sql`select 1`) // the token is verified once, then cached by core
  const twoStatements = (target: NodePgDatabase) =>
    target.transaction(async (tx) => {
      await tx.execute(sql`select now()`)
      await tx.execute(sql`select current_user`)
    })
  const oneStatement = (target: NodePgDatabase) => target.transaction((tx) => tx.execute(sql`select now()`))

  expect({
    plain: await roundTrips(() => twoStatements(db)),
    claims: await roundTrips(() => twoStatements(alice)),
    plainOne: await roundTrips(() => oneStatement(db)),
    claimsDirect: await roundTrips(() => alice.execute(sql`select now()`)),
    claimsBuilder: await roundTrips(() => alice.select().from(notes)),
  }).toEqual({ plain: 4, claims: 4, plainOne: 3, claimsDirect: 3, claimsBuilder: 3 })
})
