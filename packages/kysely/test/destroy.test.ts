import { ClaimsKysely } from '@pg-claims/kysely'
import { createTestDatabase } from '@pg-claims/testing'
import { sql } from 'kysely'
import pg from 'pg'
import { expect, it } from 'vitest'
import { testClaims, tokenFor } from './fixture.js'

it('ends the pool on destroy, once, even when only claims handles used it', async () => {
  const database = await createTestDatabase()
  try {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 })
    const db = new ClaimsKysely<unknown>({ pool, claims: testClaims() })
    const scope = db.withClaims(await tokenFor('alice'))
    await sql`select 1`.execute(scope)
    await db.destroy()
    await db.destroy()
    expect(pool.ended).toBe(true)
    await expect(sql`select 1`.execute(scope)).rejects.toThrow(/pool/)
  } finally {
    await database.drop()
  }
})
