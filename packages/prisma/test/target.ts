import { adapterUnderTest, type ConformanceTarget, type Row, type ScopeUnderTest } from '@pg-claims/testing'
import { createNeonTestClient, createTestClient } from './client.js'

/** The members of a claims client (and its transaction client) the suite drives. */
interface RawClient {
  $queryRawUnsafe<T>(sql: string): Promise<T>
}
interface ClaimsRawClient extends RawClient {
  $transaction<R>(fn: (tx: RawClient) => Promise<R>): Promise<R>
}

const scope = (db: ClaimsRawClient): ScopeUnderTest => ({
  transaction: (work) => db.$transaction((tx) => work((sql) => tx.$queryRawUnsafe<Row[]>(sql))),
  query: (sql) => db.$queryRawUnsafe<Row[]>(sql),
})

/** A test client (either adapter) as the suites drive it: raw SQL, as a transaction or a single query. */
function underTest(
  client: Pick<ReturnType<typeof createTestClient>, 'prisma' | 'connectionsOpened' | 'close'>,
) {
  const { prisma, connectionsOpened, close } = client
  return adapterUnderTest({
    withClaims: (token, call) => scope(prisma.withClaims(token, call)),
    withVerifiedClaims: (verified) => scope(prisma.withVerifiedClaims(verified)),
    plainQuery: (sql) => prisma.$queryRawUnsafe<Row[]>(sql),
    connectionsOpened,
    close,
  })
}

/** The prisma adapter as the conformance, load and fault suites drive it. */
export const prismaTarget: ConformanceTarget = {
  name: 'prisma ($extends(pgClaims))',
  create: async ({ url, claims, poolSize, pipeline }) =>
    underTest(createTestClient(url, claims, { poolSize, pipeline })),
}

/** `pgClaims` on `@prisma/adapter-neon` (Neon's `Pool`, through the harness's bridge). */
export const prismaNeonTarget: ConformanceTarget = {
  name: 'prisma ($extends(pgClaims)) on @prisma/adapter-neon',
  create: async ({ url, claims, poolSize }) =>
    underTest(await createNeonTestClient(url, claims, { poolSize })),
}
