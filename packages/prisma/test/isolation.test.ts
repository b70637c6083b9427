import { conformanceClaims, createTestDatabase, signToken, type TestDatabase } from '@pg-claims/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTables, createTestClient } from './client.js'

let database: TestDatabase
const users = Array.from({ length: 12 }, (_, index) => `user${index}`)
const tokens = await Promise.all(users.map((sub) => signToken({ sub, role: 'authenticated' })))

beforeAll(async () => {
  database = await createTestDatabase({ setup: createTables })
})

afterAll(() => database?.drop())

it('never leaves one caller claims on a pooled connection (pool of 1)', async () => {
  const db = createTestClient(database.url, conformanceClaims(), { poolSize: 1 })
  const owner = await signToken({ sub: 'pool-owner', role: 'authenticated' })
  try {
    const [inside] = await db.prisma.withClaims(owner).$queryRaw<
      { pid: number }[]
    >`select pg_backend_pid() as pid`
    await db.prisma.withClaims(owner).note.create({ data: { body: 'x' } })
    const scoped = db.prisma.withClaims(owner)
    await scoped.$transaction([scoped.note.count(), scoped.$executeRaw`select 1`])
    await expect(scoped.$transaction([db.prisma.withClaims(owner).note.count()])).rejects.toThrow(
      /same client/,
    )
    const [after] = await db.prisma.$queryRaw<Record<string, unknown>[]>`
      select pg_backend_pid() as pid, current_user as role, auth.session() as session,
             current_setting('jwt.claims.sub', true) as sub`
    expect(after).toEqual({ pid: inside?.pid, role: 'authenticator', session: null, sub: '' })
    const [anonymous] = await db.prisma.withClaims(null).$queryRaw<Record<string, unknown>[]>`
      select pg_backend_pid() as pid, current_user as role, auth.session() as session`
    expect(anonymous).toEqual({ pid: inside?.pid, role: 'anon', session: { role: 'anon' } })
  } finally {
    await db.close()
  }
})

it('keeps concurrent callers with different tokens apart on one client', async () => {
  const db = createTestClient(database.url, conformanceClaims(), { poolSize: 3 })
  try {
    const notes = await Promise.all(
      tokens.map((token, index) =>
        db.prisma.withClaims(token).note.create({ data: { body: `note ${index}` } }),
      ),
    )
    // findUnique calls made in the same tick are what Prisma batches into one query: each caller
    // must still get only what RLS lets them see (their own note, and no one else's).
    const own = await Promise.all(
      tokens.map((token, index) =>
        db.prisma.withClaims(token).note.findUnique({ where: { id: notes[index]!.id } }),
      ),
    )
    const others = await Promise.all(
      tokens.map((token, index) =>
        db.prisma.withClaims(token).note.findUnique({ where: { id: notes[(index + 1) % notes.length]!.id } }),
      ),
    )
    const seen = await Promise.all(
      tokens.map(async (token) => {
        const scoped = db.prisma.withClaims(token)
        const [[raw], inTransaction] = await Promise.all([
          scoped.$queryRaw<{ uid: string }[]>`select auth.user_id() as uid`,
          scoped.$transaction(async (tx) =>
            (await tx.note.findMany({ select: { owner: true } })).map((n) => n.owner),
          ),
        ])
        return [raw?.uid, inTransaction]
      }),
    )
    expect(own.map((note) => note?.owner)).toEqual(users)
    expect(others).toEqual(users.map(() => null))
    expect(seen).toEqual(users.map((user) => [user, [user]]))
  } finally {
    await db.close()
  }
})
