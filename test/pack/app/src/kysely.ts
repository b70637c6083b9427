import { ClaimsKysely } from '@pg-claims/kysely'
import type { Generated } from 'kysely'
import pg from 'pg'
import { appClaims, run, setting } from './scenario.js'

interface Database {
  notes: { id: Generated<number>; owner: Generated<string>; body: string }
}

const db = new ClaimsKysely<Database>({
  pool: new pg.Pool({ connectionString: setting('DATABASE_URL') }),
  claims: appClaims(),
})
await run({
  insert: async (token, body) => {
    await db.withClaims(token).insertInto('notes').values({ body }).execute()
  },
  list: (token) =>
    db
      .withClaims(token)
      .transaction()
      .execute((trx) => trx.selectFrom('notes').select(['owner', 'body']).orderBy('id').execute()),
  close: () => db.destroy(),
})
