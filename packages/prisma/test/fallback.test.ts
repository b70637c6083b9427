import { conformanceClaims, createTestDatabase, signToken, type TestDatabase } from '@pg-claims/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTables, createTestClient, type TestDb } from './client.js'

let database: TestDatabase
let db: TestDb

beforeAll(async () => {
  database = await createTestDatabase({ setup: createTables })
  db = createTestClient(database.url, conformanceClaims(), { hooked: false })
})

afterAll(async () => {
  await db?.close()
  await database?.drop()
})

it('applies the claims with a separate statement on a plain PrismaPg adapter', async () => {
  const token = await signToken({ sub: 'alice', role: 'authenticated' })
  await db.prisma.withClaims(token).note.create({ data: { body: 'a' } })
  expect(await db.prisma.withClaims(token).note.findMany({ select: { owner: true } })).toEqual([
    { owner: 'alice' },
  ])
  expect(await db.prisma.$queryRaw`select current_user as role, auth.session() as session`).toEqual([
    { role: 'authenticator', session: null },
  ])
})

it('answers ROLE_UNKNOWN there too', async () => {
  const ghost = await signToken({ sub: 'x', role: 'conformance_missing_role' })
  await expect(db.prisma.withClaims(ghost).note.count()).rejects.toMatchObject({ code: 'ROLE_UNKNOWN' })
})
