import { createClaims, installHelpers } from '@pg-claims/core'
import { claimSql, claimsDrizzle, ownerCheck, roleCheck } from '@pg-claims/drizzle'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { PgDialect } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { notes, notesSetupSql } from './notes-schema.js'

const claims = createClaims({ secret: TEST_SECRET, roles: { allowed: ['authenticated'] } })
const claim = claimSql({ org_id: 'integer', admin: 'boolean', tenant: 'uuid', meta: 'jsonb' })

let database: TestDatabase
let pool: pg.Pool

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(notesSetupSql)
    },
  })
  pool = new pg.Pool({ connectionString: database.url, max: 2 })
})

afterAll(async () => {
  await pool?.end()
  await database?.drop()
})

const asCaller = async (payload: Record<string, unknown>) =>
  claimsDrizzle(drizzle(pool), claims).withClaims(await signToken({ role: 'authenticated', ...payload }))

describe('claimSql', () => {
  it('reads typed claims in select, values and where', async () => {
    const tenant = '6f1c1f2e-8a55-4f3e-9d0b-3b7d2c1a0e9f'
    const alice = await asCaller({ sub: 'alice', org_id: 7, admin: true, tenant, meta: { tier: 2 } })
    const [row] = await alice
      .select({
        id: claim.userId(),
        org: claim.claim('org_id'),
        admin: claim.claim('admin'),
        tenant: claim.claim('tenant'),
        meta: claim.claim('meta'),
        role: claim.role(),
      })
      .from(sql`(select 1) as one`)
    expect(row).toEqual({
      id: 'alice',
      org: 7,
      admin: true,
      tenant,
      meta: { tier: 2 },
      role: 'authenticated',
    })

    await alice.insert(notes).values({ body: 'mine', orgId: claim.claim('org_id') })
    expect(
      await alice
        .select({ body: notes.body })
        .from(notes)
        .where(eq(notes.orgId, claim.claim('org_id'))),
    ).toEqual([{ body: 'mine' }])
  })

  it('gives NULL for an absent claim', async () => {
    const bob = await asCaller({ sub: 'bob' })
    const [row] = await bob.select({ org: claim.claim('org_id') }).from(sql`(select 1) as one`)
    expect(row).toEqual({ org: null })
  })

  it('writes wrapped helper calls, in the schema asked for', () => {
    const dialect = new PgDialect()
    expect(dialect.sqlToQuery(claimSql({ org_id: 'integer' }, { schema: 'claims' }).claim('org_id'))).toEqual(
      {
        sql: "(select claims.claim('org_id')::pg_catalog.int4)",
        params: [],
      },
    )
    expect(dialect.sqlToQuery(ownerCheck(notes.owner))).toEqual({
      sql: '(select auth.user_id()) = "notes"."owner"',
      params: [],
    })
    expect(dialect.sqlToQuery(ownerCheck(notes.owner, { as: 'uuid' })).sql).toBe(
      '(select auth.uid()) = "notes"."owner"',
    )
    expect(dialect.sqlToQuery(roleCheck(["o'neil", 'admin'])).sql).toBe(
      "(select auth.role()) in ('o''neil', 'admin')",
    )
  })

  it('refuses an empty role list', () => {
    expect(() => roleCheck([])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })
})
