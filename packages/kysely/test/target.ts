import { ClaimsKysely } from '@pg-claims/kysely'
import {
  adapterUnderTest,
  type ConformanceTarget,
  countingPool,
  type ScopeUnderTest,
} from '@pg-claims/testing'
import { type Kysely, sql } from 'kysely'

const rows = async (db: Kysely<unknown>, text: string) =>
  (await sql.raw<Record<string, unknown>>(text).execute(db)).rows

const scope = (db: Kysely<unknown>): ScopeUnderTest => ({
  transaction: (work) => db.transaction().execute((trx) => work((text) => rows(trx, text))),
  query: (text) => rows(db, text),
})

/** The kysely adapter as the conformance, load and fault suites drive it. */
export const kyselyTarget: ConformanceTarget = {
  name: 'kysely (ClaimsKysely)',
  async create({ url, claims, poolSize, pipeline }) {
    const { pool, opened } = countingPool(url, poolSize, pipeline)
    const db = new ClaimsKysely<unknown>({ pool, claims })
    return adapterUnderTest({
      withClaims: (token, call) => scope(db.withClaims(token, call)),
      withVerifiedClaims: (verified) => scope(db.withVerifiedClaims(verified)),
      plainQuery: (text) => rows(db, text),
      connectionsOpened: opened,
      close: () => db.destroy(),
    })
  },
}
