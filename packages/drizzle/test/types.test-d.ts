import { Pool } from '@neondatabase/serverless'
import { createClaims } from '@pg-claims/core'
import { claimSql, claimsDrizzle, ownerCheck, roleCheck } from '@pg-claims/drizzle'
import { TEST_SECRET } from '@pg-claims/testing'
import type { SQL } from 'drizzle-orm'
import { drizzle as drizzleNeon, type NeonDatabase } from 'drizzle-orm/neon-serverless'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { drizzle as drizzlePostgresJs, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { JWTPayload } from 'jose'
import pg from 'pg'
import postgres from 'postgres'
import { expectTypeOf, test } from 'vitest'
import { notes } from './notes-schema.js'

const claims = claimSql({ org_id: 'integer', tenant: 'uuid', admin: 'boolean', plan: 'text', meta: 'jsonb' })

test('each declared claim is SQL of its TypeScript type, or null', () => {
  expectTypeOf(claims.claim('org_id')).toEqualTypeOf<SQL<number | null>>()
  expectTypeOf(claims.claim('tenant')).toEqualTypeOf<SQL<string | null>>()
  expectTypeOf(claims.claim('admin')).toEqualTypeOf<SQL<boolean | null>>()
  expectTypeOf(claims.claim('plan')).toEqualTypeOf<SQL<string | null>>()
  expectTypeOf(claims.claim('meta')).toEqualTypeOf<SQL<unknown>>()
  expectTypeOf(claims.userId()).toEqualTypeOf<SQL<string | null>>()
  expectTypeOf(claims.session()).toEqualTypeOf<SQL<unknown>>()
})

test('an undeclared claim does not compile', () => {
  // @ts-expect-error: 'missing' is not declared
  claims.claim('missing')
})

test('claims type the rows Drizzle selects', () => {
  const db = drizzle(new pg.Pool())
  const query = db
    .select({ id: notes.id, org: claims.claim('org_id'), admin: claims.claim('admin') })
    .from(notes)
  expectTypeOf<Awaited<typeof query>>().toEqualTypeOf<
    { id: number; org: number | null; admin: boolean | null }[]
  >()
})

test('policy checks are boolean SQL', () => {
  expectTypeOf(ownerCheck(notes.owner)).toEqualTypeOf<SQL<boolean>>()
  expectTypeOf(roleCheck(['admin'])).toEqualTypeOf<SQL<boolean>>()
})

test('claimsDrizzle takes a database on a pg.Pool and keeps its schema types', () => {
  const claimsConfig = createClaims({ secret: TEST_SECRET })
  const db = claimsDrizzle(drizzle(new pg.Pool(), { schema: { notes } }), claimsConfig)
  expectTypeOf(db.withClaims('token')).toEqualTypeOf<NodePgDatabase<{ notes: typeof notes }>>()
  expectTypeOf(db.withVerifiedClaims).parameter(0).toEqualTypeOf<JWTPayload>()
  // @ts-expect-error: a single pg.Client cannot check out a connection per transaction
  claimsDrizzle(drizzle(new pg.Client()), claimsConfig)
})

test('claimsDrizzle on neon-serverless and postgres-js: views typed as the database they come from', () => {
  const claimsConfig = createClaims({ secret: TEST_SECRET })
  const neon = claimsDrizzle(drizzleNeon({ client: new Pool(), schema: { notes } }), claimsConfig)
  expectTypeOf(neon.withClaims('token')).toMatchTypeOf<
    Omit<NeonDatabase<{ notes: typeof notes }>, '$client'>
  >()
  const sql = postgres({ max: 1 })
  const js = claimsDrizzle(drizzlePostgresJs({ client: sql, schema: { notes } }), claimsConfig)
  expectTypeOf(js.withClaims('token')).toMatchTypeOf<
    Omit<PostgresJsDatabase<{ notes: typeof notes }>, '$client'>
  >()
})
