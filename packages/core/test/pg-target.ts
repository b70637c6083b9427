import { claimsPool } from '@pg-claims/core'
import { type ConformanceTarget, countingPool } from '@pg-claims/testing'

/** `claimsPool` on a `pg` Pool, as the conformance, load and fault suites drive it. */
export const pgTarget: ConformanceTarget = {
  name: 'pg (claimsPool)',
  async create({ url, claims, poolSize }) {
    const { pool, opened } = countingPool(url, poolSize)
    const db = claimsPool(pool, claims)
    return {
      transaction: (token, work) =>
        db.withClaims(token).transaction((client) => work(async (sql) => (await client.query(sql)).rows)),
      query: async (token, sql) => (await db.withClaims(token).query(sql)).rows,
      plainQuery: async (sql) => (await pool.query(sql)).rows,
      connectionsOpened: opened,
      close: () => pool.end(),
    }
  },
}
