import { claimsDrizzle } from '@pg-claims/drizzle'
import {
  adapterUnderTest,
  type ConformanceTarget,
  countingPool,
  type ScopeUnderTest,
} from '@pg-claims/testing'
import { sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'

const scope = (db: NodePgDatabase): ScopeUnderTest => ({
  transaction: (work) => db.transaction((tx) => work(async (text) => (await tx.execute(sql.raw(text))).rows)),
  query: async (text) => (await db.execute(sql.raw(text))).rows,
})

/** The drizzle adapter as the conformance, load and fault suites drive it. */
export const drizzleTarget: ConformanceTarget = {
  name: 'drizzle (node-postgres)',
  async create({ url, claims, poolSize, pipeline }) {
    const { pool, opened } = countingPool(url, poolSize, pipeline)
    const db = claimsDrizzle(drizzle(pool), claims)
    return adapterUnderTest({
      withClaims: (token, call) => scope(db.withClaims(token, call)),
      withVerifiedClaims: (verified) => scope(db.withVerifiedClaims(verified)),
      plainQuery: async (text) => (await db.execute(sql.raw(text))).rows,
      connectionsOpened: opened,
      close: () => pool.end(),
    })
  },
}
