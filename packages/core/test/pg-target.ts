import { claimsPool } from '@pg-claims/core'
import type { ConformanceTarget } from '@pg-claims/testing'
import pg from 'pg'

/** `claimsPool` on a `pg` Pool, as the conformance, load and fault suites drive it. */
export const pgTarget: ConformanceTarget = {
  name: 'pg (claimsPool)',
  async create({ url, claims, poolSize }) {
    const pool = new pg.Pool({ connectionString: url, max: poolSize })
    let opened = 0
    pool.on('connect', () => {
      opened += 1
    })
    // pg emits errors of idle connections (a restart, a terminated backend) on the pool
    pool.on('error', () => {})
    const db = claimsPool(pool, claims)
    return {
      transaction: (token, work) =>
        db.withClaims(token).transaction((client) => work(async (sql) => (await client.query(sql)).rows)),
      query: async (token, sql) => (await db.withClaims(token).query(sql)).rows,
      plainQuery: async (sql) => (await pool.query(sql)).rows,
      connectionsOpened: () => opened,
      close: () => pool.end(),
    }
  },
}
