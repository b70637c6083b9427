import { claimsPool } from '@pg-claims/core'
import {
  adapterUnderTest,
  type ConformanceTarget,
  countingPool,
  type ScopeUnderTest,
} from '@pg-claims/testing'

/** `claimsPool` on a `pg` Pool, as the conformance, load and fault suites drive it. */
export const pgTarget: ConformanceTarget = {
  name: 'pg (claimsPool)',
  async create({ url, claims, poolSize, pipeline }) {
    const { pool, opened } = countingPool(url, poolSize, pipeline)
    const db = claimsPool(pool, claims)
    const scope = (handle: ReturnType<typeof db.withClaims>): ScopeUnderTest => ({
      transaction: (work) =>
        handle.transaction((client) => work(async (sql) => (await client.query(sql)).rows)),
      query: async (sql) => (await handle.query(sql)).rows,
    })
    return adapterUnderTest({
      withClaims: (token, call) => scope(db.withClaims(token, call)),
      withVerifiedClaims: (verified) => scope(db.withVerifiedClaims(verified)),
      plainQuery: async (sql) => (await pool.query(sql)).rows,
      connectionsOpened: opened,
      close: () => pool.end(),
    })
  },
}
