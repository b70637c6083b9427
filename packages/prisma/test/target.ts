import type { ConformanceTarget, Row } from '@pg-claims/testing'
import { createTestClient } from './client.js'

/** The prisma adapter as the conformance, load and fault suites drive it. */
export const prismaTarget: ConformanceTarget = {
  name: 'prisma ($extends(pgClaims))',
  async create({ url, claims, poolSize }) {
    const { prisma, connectionsOpened, close } = createTestClient(url, claims, { poolSize })
    return {
      transaction: (token, work) =>
        prisma.withClaims(token).$transaction((tx) => work((sql) => tx.$queryRawUnsafe<Row[]>(sql))),
      query: (token, sql) => prisma.withClaims(token).$queryRawUnsafe<Row[]>(sql),
      plainQuery: (sql) => prisma.$queryRawUnsafe<Row[]>(sql),
      connectionsOpened,
      close,
    }
  },
}
