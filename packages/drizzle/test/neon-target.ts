import { claimsDrizzle } from '@pg-claims/drizzle'
import {
  adapterUnderTest,
  type ConformanceTarget,
  countingNeonPool,
  type ScopeUnderTest,
} from '@pg-claims/testing'
import { sql } from 'drizzle-orm'
import { drizzle, type NeonDatabase } from 'drizzle-orm/neon-serverless'

const scope = (db: Omit<NeonDatabase, '$client'>): ScopeUnderTest => ({
  transaction: (work) => db.transaction((tx) => work(async (text) => (await tx.execute(sql.raw(text))).rows)),
  query: async (text) => (await db.execute(sql.raw(text))).rows,
})

/** `claimsDrizzle` on `drizzle-orm/neon-serverless` over Neon's `Pool` (through the harness's bridge). */
export const drizzleNeonTarget: ConformanceTarget = {
  name: 'drizzle (neon-serverless) on @neondatabase/serverless Pool',
  async create({ url, claims, poolSize }) {
    const { pool, opened } = await countingNeonPool(url, poolSize)
    const db = claimsDrizzle(drizzle({ client: pool }), claims)
    return adapterUnderTest({
      withClaims: (token, call) => scope(db.withClaims(token, call)),
      withVerifiedClaims: (verified) => scope(db.withVerifiedClaims(verified)),
      plainQuery: async (text) => (await db.execute(sql.raw(text))).rows,
      connectionsOpened: opened,
      close: () => pool.end(),
    })
  },
}
