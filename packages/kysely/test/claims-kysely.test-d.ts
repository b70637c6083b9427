import { createClaims } from '@pg-claims/core'
import { ClaimsKysely } from '@pg-claims/kysely'
import { type Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'

interface Database {
  notes: { id: number; body: string }
}

describe('ClaimsKysely types', () => {
  const pool = new pg.Pool()

  it('is a Kysely, and so are its claims handles', () => {
    const db = new ClaimsKysely<Database>({ pool, claims: createClaims({ secret: 'x'.repeat(32) }) })
    expectTypeOf(db).toExtend<Kysely<Database>>()
    expectTypeOf(db.withClaims).parameter(0).toEqualTypeOf<string | null>()
    expectTypeOf(db.withClaims('token')).toEqualTypeOf<Kysely<Database>>()
    expectTypeOf(db.withVerifiedClaims({ sub: 'u1', role: 'authenticated' })).toEqualTypeOf<
      Kysely<Database>
    >()
  })

  it('types withVerifiedClaims by the schema of the claims', () => {
    const claims = createClaims({
      secret: 'x'.repeat(32),
      schema: z.object({ sub: z.string(), org_id: z.number() }),
    })
    const db = new ClaimsKysely<Database, { sub: string; org_id: number }>({ pool, claims })
    expectTypeOf(db.withVerifiedClaims).parameter(0).toEqualTypeOf<{ sub: string; org_id: number }>()
    // @ts-expect-error: org_id is missing
    db.withVerifiedClaims({ sub: 'u1' })
  })

  it('takes Kysely options but no dialect', () => {
    const claims = createClaims({ secret: 'x'.repeat(32) })
    new ClaimsKysely<Database>({ pool, claims, log: ['error'], plugins: [] })
    // @ts-expect-error: the dialect is always PostgresDialect on `pool`
    new ClaimsKysely<Database>({ pool, claims, dialect: new PostgresDialect({ pool }) })
  })
})
