import { createClaims } from '@pg-claims/core'
import {
  conformanceClaims,
  createTestDatabase,
  signToken,
  TEST_SECRET,
  type TestDatabase,
} from '@pg-claims/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTables, createTestClient, type TestDb } from './client.js'

let database: TestDatabase
let db: TestDb

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await createTables(admin)
      await admin.query(`create function public.gate() returns void language plpgsql as $$
        begin
          if current_setting('request.headers', true)::json ->> 'x-gate' = 'deny' then
            raise sqlstate 'PT403' using message = 'denied by gate';
          end if;
        end $$`)
    },
  })
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

it('calls the pre-request function there too, with the request context, and types what it raises', async () => {
  const claims = createClaims({
    secret: TEST_SECRET,
    roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
    preRequest: 'public.gate',
  })
  const gated = createTestClient(database.url, claims, { hooked: false })
  try {
    const as = (gate: string) => gated.prisma.withClaims(null, { request: { headers: { 'x-gate': gate } } })
    expect(
      await as('open').$queryRaw`select current_setting('request.headers') as headers, auth.role() as role`,
    ).toEqual([{ headers: '{"x-gate":"open"}', role: 'anon' }])
    await expect(as('deny').note.count()).rejects.toMatchObject({
      code: 'PRE_REQUEST_FAILED',
      sqlstate: 'PT403',
      status: 403,
      message: expect.stringContaining('denied by gate'),
    })
  } finally {
    await gated.close()
  }
})
