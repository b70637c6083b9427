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
const pools: pg.Pool[] = []

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(notesSetupSql)
    },
  })
  const { host, port } = hostAndPortOf(database.url)
  proxy = await startPgProxy({ upstreamHost: host, upstreamPort: port })
})

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  await proxy?.close()
  await database?.drop()
})

it.each([
  {
    pipeline: true,
    expected: { plain: 4, claims: 3, plainOne: 3, claimsOne: 2, claimsDirect: 1, claimsBuilder: 1 },
  },
  {
    pipeline: false,
    expected: { plain: 4, claims: 4, plainOne: 3, claimsOne: 3, claimsDirect: 3, claimsBuilder: 3 },
  },
])('flights with pipeline: $pipeline', async ({ pipeline, expected }) => {
  const pool = new pg.Pool({ connectionString: proxy.connectionString(database.url), max: 1, pipeline })
  pools.push(pool)
  await pool.query('select 1') // the connection is open before counting
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
    plain: await proxy.flightsOf(() => twoStatements(db)),
    claims: await proxy.flightsOf(() => twoStatements(alice)),
    plainOne: await proxy.flightsOf(() => oneStatement(db)),
    claimsOne: await proxy.flightsOf(() => oneStatement(alice)),
    claimsDirect: await proxy.flightsOf(() => alice.execute(sql`select now()`)),
    claimsBuilder: await proxy.flightsOf(() => alice.select().from(notes)),
  }).toEqual(expected)
})
