import { claimsDrizzle } from '@pg-claims/drizzle'
import { type ConformanceTarget, countingPool } from '@pg-claims/testing'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'

/** The drizzle adapter as the conformance, load and fault suites drive it. */
export const drizzleTarget: ConformanceTarget = {
  name: 'drizzle (node-postgres)',
  async create({ url, claims, poolSize }) {
    const { pool, opened } = countingPool(url, poolSize)
    const db = claimsDrizzle(drizzle(pool), claims)
    return {
      transaction: (token, work) =>
        db
          .withClaims(token)
          .transaction((tx) => work(async (text) => (await tx.execute(sql.raw(text))).rows)),
      query: async (token, text) => (await db.withClaims(token).execute(sql.raw(text))).rows,
      plainQuery: async (text) => (await db.execute(sql.raw(text))).rows,
      connectionsOpened: opened,
      close: () => pool.end(),
    }
  },
}
