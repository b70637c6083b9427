import { claimsPool } from '@pg-claims/core'
import { describeConformance } from '@pg-claims/testing'
import pg from 'pg'

describeConformance({
  name: 'pg (claimsPool)',
  async create({ url, claims, poolSize }) {
    const pool = new pg.Pool({ connectionString: url, max: poolSize })
    let opened = 0
    pool.on('connect', () => {
      opened += 1
    })
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
})
