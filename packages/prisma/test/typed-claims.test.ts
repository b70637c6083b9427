import { createClaims } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createTables, createTestClient } from './client.js'

let database: TestDatabase

beforeAll(async () => {
  database = await createTestDatabase({ setup: createTables })
})

afterAll(() => database?.drop())

it('gives the schema-typed claims as tx.$claims and $claims()', async () => {
  const claims = createClaims({
    secret: TEST_SECRET,
    roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
    schema: z.object({ sub: z.string(), role: z.string(), org: z.object({ id: z.number() }) }),
  })
  const db = createTestClient(database.url, claims)
  try {
    const scoped = db.prisma.withClaims(
      await signToken({ sub: 'alice', role: 'authenticated', org: { id: 7 } }),
    )
    const org = await scoped.$transaction(async (tx) => {
      expectTypeOf(tx.$claims).toEqualTypeOf<{ sub: string; role: string; org: { id: number } } | null>()
      return tx.$claims?.org.id
    })
    expect(org).toBe(7)
    expect((await scoped.$claims())?.sub).toBe('alice')
    expect(await db.prisma.withClaims(null).$claims()).toBeNull()

    const verified = db.prisma.withVerifiedClaims({ sub: 'bob', role: 'authenticated', org: { id: 8 } })
    expect(await verified.$queryRaw`select auth.user_id() as uid, current_user as role`).toEqual([
      { uid: 'bob', role: 'authenticated' },
    ])
  } finally {
    await db.close()
  }
})
