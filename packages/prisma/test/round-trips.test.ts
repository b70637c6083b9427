import {
  conformanceClaims,
  createTestDatabase,
  hostAndPortOf,
  type PgProxy,
  signToken,
  startPgProxy,
  type TestDatabase,
} from '@pg-claims/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTables, createTestClient } from './client.js'

let database: TestDatabase
let proxy: PgProxy
let token: string

beforeAll(async () => {
  database = await createTestDatabase({ setup: createTables })
  const { host, port } = hostAndPortOf(database.url)
  proxy = await startPgProxy({ upstreamHost: host, upstreamPort: port })
  token = await signToken({ sub: 'alice', role: 'authenticated' })
})

afterAll(async () => {
  await proxy?.close()
  await database?.drop()
})

const serializable = { isolationLevel: 'Serializable' } as const

/** Flights of `work`, measured on a warm connection. */
async function roundTrips(work: () => Promise<unknown>): Promise<number> {
  await work()
  return proxy.flightsOf(work)
}

it.each([
  {
    adapter: 'claimsAdapter, pipelined',
    hooked: true,
    pipeline: true,
    single: 2,
    transaction: 3,
    isolated: 3,
  },
  { adapter: 'claimsAdapter', hooked: true, pipeline: false, single: 3, transaction: 4, isolated: 4 },
  { adapter: 'plain PrismaPg', hooked: false, pipeline: false, single: 4, transaction: 5, isolated: 6 },
])(
  'costs what the README says with $adapter',
  async ({ hooked, pipeline, single, transaction, isolated }) => {
    const url = proxy.connectionString(database.url)
    const db = createTestClient(url, conformanceClaims(), { hooked, pipeline })
    try {
      const admin = db.prisma
      const user = db.prisma.withClaims(token)
      const measured = {
        plainSingle: await roundTrips(() => admin.$queryRaw`select 1`),
        claimsSingle: await roundTrips(() => user.note.findMany()),
        plainTransaction: await roundTrips(() =>
          admin.$transaction(async (tx) => [await tx.$queryRaw`select 1`, await tx.$queryRaw`select 2`]),
        ),
        claimsTransaction: await roundTrips(() =>
          user.$transaction(async (tx) => [await tx.note.findMany(), await tx.note.count()]),
        ),
        plainBatch: await roundTrips(() =>
          admin.$transaction([admin.$queryRaw`select 1`, admin.$queryRaw`select 2`]),
        ),
        claimsBatch: await roundTrips(() => user.$transaction([user.note.findMany(), user.note.count()])),
        plainIsolated: await roundTrips(() =>
          admin.$transaction(
            async (tx) => [await tx.$queryRaw`select 1`, await tx.$queryRaw`select 2`],
            serializable,
          ),
        ),
        claimsIsolated: await roundTrips(() =>
          user.$transaction(async (tx) => [await tx.note.findMany(), await tx.note.count()], serializable),
        ),
      }
      expect(measured).toEqual({
        plainSingle: 1,
        claimsSingle: single,
        plainTransaction: 4,
        claimsTransaction: transaction,
        plainBatch: 4,
        claimsBatch: transaction,
        plainIsolated: 5,
        claimsIsolated: isolated,
      })
    } finally {
      await db.close()
    }
  },
)
