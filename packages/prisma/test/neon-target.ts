import { adapterUnderTest, type ConformanceTarget, type Row } from '@pg-claims/testing'
import { createNeonTestClient } from './client.js'
import { prismaScope } from './target.js'

/** `pgClaims` on `@prisma/adapter-neon` (Neon's `Pool`, through the harness's bridge). */
export const prismaNeonTarget: ConformanceTarget = {
  name: 'prisma ($extends(pgClaims)) on @prisma/adapter-neon',
  async create({ url, claims, poolSize }) {
    const { prisma, connectionsOpened, close } = await createNeonTestClient(url, claims, { poolSize })
    return adapterUnderTest({
      withClaims: (token, call) => prismaScope(prisma.withClaims(token, call)),
      withVerifiedClaims: (verified) => prismaScope(prisma.withVerifiedClaims(verified)),
      plainQuery: (sql) => prisma.$queryRawUnsafe<Row[]>(sql),
      connectionsOpened,
      close,
    })
  },
}
