import { adapterUnderTest, type ConformanceTarget, type Row, type ScopeUnderTest } from '@pg-claims/testing'
import { createTestClient, type TestDb } from './client.js'

type ClaimsClient = ReturnType<TestDb['prisma']['withClaims']>

const scope = (db: ClaimsClient): ScopeUnderTest => ({
  transaction: (work) => db.$transaction((tx) => work((sql) => tx.$queryRawUnsafe<Row[]>(sql))),
  query: (sql) => db.$queryRawUnsafe<Row[]>(sql),
})

/** The prisma adapter as the conformance, load and fault suites drive it. */
export const prismaTarget: ConformanceTarget = {
  name: 'prisma ($extends(pgClaims))',
  async create({ url, claims, poolSize, pipeline }) {
    const { prisma, connectionsOpened, close } = createTestClient(url, claims, { poolSize, pipeline })
    return adapterUnderTest({
      withClaims: (token) => scope(prisma.withClaims(token)),
      withVerifiedClaims: (verified) => scope(prisma.withVerifiedClaims(verified)),
      plainQuery: (sql) => prisma.$queryRawUnsafe<Row[]>(sql),
      connectionsOpened,
      close,
    })
  },
}
