import { ClaimsKysely } from '@pg-claims/kysely'
import { type ConformanceTarget, countingPool } from '@pg-claims/testing'
import { type Kysely, sql } from 'kysely'

const rows = async (db: Kysely<unknown>, text: string) =>
  (await sql.raw<Record<string, unknown>>(text).execute(db)).rows

/** The kysely adapter as the conformance, load and fault suites drive it. */
export const kyselyTarget: ConformanceTarget = {
  name: 'kysely (ClaimsKysely)',
  async create({ url, claims, poolSize }) {
    const { pool, opened } = countingPool(url, poolSize)
    const db = new ClaimsKysely<unknown>({ pool, claims })
    return {
      transaction: (token, work) =>
        db
          .withClaims(token)
          .transaction()
          .execute((trx) => work((text) => rows(trx, text))),
      query: (token, text) => rows(db.withClaims(token), text),
      plainQuery: (text) => rows(db, text),
      connectionsOpened: opened,
      close: () => db.destroy(),
    }
  },
}
