import { conformanceClaims, createTestDatabase, signToken, type TestDatabase } from '@pg-claims/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTables, createTestClient, type TestDb } from './client.js'

let database: TestDatabase
let db: TestDb
const alice = await signToken({ sub: 'alice', role: 'authenticated' })
const bob = await signToken({ sub: 'bob', role: 'authenticated' })

beforeAll(async () => {
  database = await createTestDatabase({ setup: createTables })
  db = createTestClient(database.url, conformanceClaims(), { poolSize: 2 })
})

afterAll(async () => {
  await db?.close()
  await database?.drop()
})

it('runs model operations, nested writes and raw queries under the caller claims', async () => {
  const asAlice = db.prisma.withClaims(alice)
  const created = await asAlice.note.create({
    data: { body: 'a1', tags: { create: [{ name: 'x' }, { name: 'y' }] } },
    include: { tags: { orderBy: { name: 'asc' } } },
  })
  expect(created).toMatchObject({
    owner: 'alice',
    body: 'a1',
    tags: [{ name: 'x', owner: 'alice' }, { name: 'y' }],
  })
  await asAlice.note.createMany({ data: [{ body: 'a2' }, { body: 'a3' }] })
  await db.prisma.withClaims(bob).note.create({ data: { body: 'b1' } })

  expect(await asAlice.note.count()).toBe(3)
  expect(await asAlice.tag.count()).toBe(2)
  expect((await asAlice.note.aggregate({ _count: { _all: true } }))._count._all).toBe(3)
  expect(await asAlice.note.findMany({ select: { body: true }, orderBy: { id: 'asc' } })).toEqual([
    { body: 'a1' },
    { body: 'a2' },
    { body: 'a3' },
  ])
  expect(await db.prisma.withClaims(bob).note.findMany({ select: { body: true } })).toEqual([{ body: 'b1' }])
  expect(await db.prisma.withClaims(null).note.findMany()).toEqual([])

  // RLS hides bob's note from alice: her update and delete touch nothing of his
  expect((await asAlice.note.updateMany({ data: { body: 'mine now' }, where: { body: 'b1' } })).count).toBe(0)
  expect((await asAlice.note.deleteMany({ where: { body: 'b1' } })).count).toBe(0)

  // the fluent API: the relation of one record
  expect(
    (await asAlice.note.findUnique({ where: { id: created.id } }).tags({ orderBy: { name: 'asc' } }))?.map(
      (tag) => tag.name,
    ),
  ).toEqual(['x', 'y'])
  expect(await asAlice.note.findUnique({ where: { id: -1 } }).tags()).toBeNull()

  expect(await asAlice.$queryRaw`select auth.user_id() as uid, current_user as role`).toEqual([
    { uid: 'alice', role: 'authenticated' },
  ])
  expect(await asAlice.$executeRaw`update notes set body = body || '!' where body = ${'a3'}`).toBe(1)
  expect(await asAlice.$queryRawUnsafe('select body from notes where body = $1', 'a3!')).toEqual([
    { body: 'a3!' },
  ])
})

it('applies the claims once for an interactive transaction; everything in it is rolled back together', async () => {
  const carol = await signToken({ sub: 'carol', role: 'authenticated' })
  const failure = new Error('callback failed')
  await expect(
    db.prisma.withClaims(carol).$transaction(async (tx) => {
      expect(tx.$claims?.sub).toBe('carol')
      const note = await tx.note.create({ data: { body: 'never' } })
      await tx.tag.create({ data: { name: 'never', noteId: note.id } })
      await tx.$executeRaw`insert into notes (body) values ('never either')`
      expect(await tx.note.count()).toBe(2)
      throw failure
    }),
  ).rejects.toBe(failure)
  const asCarol = db.prisma.withClaims(carol)
  expect([await asCarol.note.count(), await asCarol.tag.count()]).toEqual([0, 0])

  const pids = await asCarol.$transaction(async (tx) => {
    await tx.note.create({ data: { body: 'kept' } })
    const [first] = await tx.$queryRaw<
      { pid: number; uid: string }[]
    >`select pg_backend_pid() as pid, auth.user_id() as uid`
    const [second] = await tx.$queryRaw<
      { pid: number; uid: string }[]
    >`select pg_backend_pid() as pid, auth.user_id() as uid`
    return [first, second]
  })
  expect(pids[0]).toEqual(pids[1])
  expect(pids[0]?.uid).toBe('carol')
  expect(await asCarol.note.findMany({ select: { body: true } })).toEqual([{ body: 'kept' }])
})

it('runs a batch in one claims transaction, all or nothing', async () => {
  const dave = await signToken({ sub: 'dave', role: 'authenticated' })
  const asDave = db.prisma.withClaims(dave)
  const [note, count, who] = await asDave.$transaction([
    asDave.note.create({ data: { body: 'd1' } }),
    asDave.note.count(),
    asDave.$queryRaw<{ uid: string; pid: number }[]>`select auth.user_id() as uid, pg_backend_pid() as pid`,
  ])
  expect([note.owner, count, who[0]?.uid]).toEqual(['dave', 1, 'dave'])

  await expect(
    asDave.$transaction([
      asDave.note.create({ data: { body: 'd2' } }),
      asDave.$executeRaw`insert into notes (owner, body) values ('someone else', 'refused by RLS')`,
    ]),
  ).rejects.toThrow()
  expect(await asDave.note.count()).toBe(1)
})

it('keeps the base client claim-free', async () => {
  await db.prisma.withClaims(alice).note.findMany()
  expect(await db.prisma.$queryRaw`select current_user as role, auth.session() as session`).toEqual([
    { role: 'authenticator', session: null },
  ])
  await expect(db.prisma.note.findMany()).rejects.toThrow(/permission denied/)
})

it('rejects a bad token before taking a connection, for model operations too', async () => {
  const before = db.connectionsOpened()
  const forged = `${alice.slice(0, -3)}AAA`
  await expect(db.prisma.withClaims(forged).note.findMany()).rejects.toMatchObject({
    code: 'TOKEN_SIGNATURE_INVALID',
  })
  await expect(db.prisma.withClaims(forged).$transaction(async () => 1)).rejects.toMatchObject({
    code: 'TOKEN_SIGNATURE_INVALID',
  })
  await expect(db.prisma.withClaims(forged).$claims()).rejects.toMatchObject({
    code: 'TOKEN_SIGNATURE_INVALID',
  })
  expect(db.connectionsOpened()).toBe(before)
})

it('applies an isolation level, given per transaction or as the client default, with the claims', async () => {
  const isolation = (client: TestDb['prisma']) =>
    client
      .withClaims(alice)
      .$transaction(
        (tx) => tx.$queryRaw`select current_setting('transaction_isolation') as level, auth.user_id() as uid`,
        { isolationLevel: 'RepeatableRead' },
      )
  expect(await isolation(db.prisma)).toEqual([{ level: 'repeatable read', uid: 'alice' }])
  const serializable = createTestClient(database.url, conformanceClaims(), { isolationLevel: 'Serializable' })
  try {
    expect(
      await serializable.prisma.withClaims(alice)
        .$queryRaw`select current_setting('transaction_isolation') as level, auth.user_id() as uid`,
    ).toEqual([{ level: 'serializable', uid: 'alice' }])
    expect(await isolation(serializable.prisma)).toEqual([{ level: 'repeatable read', uid: 'alice' }])
  } finally {
    await serializable.close()
  }
})
