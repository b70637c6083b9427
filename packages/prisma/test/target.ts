import { adapterUnderTest, type ConformanceTarget, type Row, type ScopeUnderTest } from '@pg-claims/testing'
import { createTestClient } from './client.js'

/** The members of a claims client (and its transaction client) the suite drives. */
interface RawClient {
  $queryRawUnsafe<T>(sql: string): Promise<T>
}
interface ClaimsRawClient extends RawClient {
  $transaction<R>(fn: (tx: RawClient) => Promise<R>): Promise<R>
}

/** A claims client as the suites drive it: raw SQL, as a transaction or a single query. */
export const prismaScope = (db: ClaimsRawClient): ScopeUnderTest => ({
  transaction: (work) => db.$transaction((tx) => work((sql) => tx.$queryRawUnsafe<Row[]>(sql))),
  query: (sql) => db.$queryRawUnsafe<Row[]>(sql),
})

/** The prisma adapter as the conformance, load and fault suites drive it. */
export const prismaTarget: ConformanceTarget = {
  name: 'prisma ($extends(pgClaims))',
  async create({ url, claims, poolSize, pipeline }) {
    const { prisma, connectionsOpened, close } = createTestClient(url, claims, { poolSize, pipeline })
    return adapterUnderTest({
      withClaims: (token, call) => prismaScope(prisma.withClaims(token, call)),
      withVerifiedClaims: (verified) => prismaScope(prisma.withVerifiedClaims(verified)),
      plainQuery: (sql) => prisma.$queryRawUnsafe<Row[]>(sql),
      connectionsOpened,
      close,
    })
  },
}
