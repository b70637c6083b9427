import { claimsPool } from '@pg-claims/core'
import pg from 'pg'
import { appClaims, run, setting } from './scenario.js'

const db = claimsPool(new pg.Pool({ connectionString: setting('DATABASE_URL') }), appClaims())
await run({
  insert: async (token, body) => {
    await db.withClaims(token).query('insert into notes (body) values ($1)', [body])
  },
  list: (token) =>
    db.withClaims(token).transaction(async (client) => {
      const { rows } = await client.query<{ owner: string; body: string }>(
        'select owner, body from notes order by id',
      )
      return rows
    }),
  close: () => db.pool.end(),
})
