import { ClaimsKysely } from '@pg-claims/kysely'
import type { TestDatabase } from '@pg-claims/testing'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Database, notesDatabase, testClaims, tokenFor } from './fixture.js'

let database: TestDatabase
beforeAll(async () => {
  database = await notesDatabase()
})
afterAll(() => database?.drop())

it("logs each of the caller's queries once through Kysely's log, and never the claims", async () => {
  const logged: string[] = []
  const db = new ClaimsKysely<Database>({
    pool: new pg.Pool({ connectionString: database.url, max: 1 }),
    claims: testClaims(),
    log: (event) => {
      logged.push(event.query.sql)
    },
  })
  try {
    const scope = db.withClaims(await tokenFor('alice', { secret_plan: 'world domination' }))
    await sql`select 1 as direct`.execute(scope)
    await scope.transaction().execute((trx) => sql`select 2 as inside`.execute(trx))
    await sql`select 3 as plain`.execute(db)
  } finally {
    await db.destroy()
  }
  expect(logged).toEqual(['select 1 as direct', 'select 2 as inside', 'select 3 as plain'])
})
