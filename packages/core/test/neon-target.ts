import { claimsPool } from '@pg-claims/core'
import {
  adapterUnderTest,
  type ConformanceTarget,
  countingNeonPool,
  type ScopeUnderTest,
} from '@pg-claims/testing'

/** `claimsPool` on Neon's serverless `Pool` (WebSocket transport, through the harness's bridge). */
export const neonTarget: ConformanceTarget = {
  name: 'pg (claimsPool) on @neondatabase/serverless Pool',
  async create({ url, claims, poolSize }) {
    const { pool, opened } = await countingNeonPool(url, poolSize)
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
