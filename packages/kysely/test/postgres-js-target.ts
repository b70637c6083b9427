import { ClaimsKysely } from '@pg-claims/kysely'
import { adapterUnderTest, type ConformanceTarget, countingPostgresJs } from '@pg-claims/testing'
import { type Kysely, sql } from 'kysely'

const rows = async (db: Kysely<unknown>, text: string) =>
  (await sql.raw<Record<string, unknown>>(text).execute(db)).rows

/** `ClaimsKysely` on a postgres.js `sql` (`prepare: false`, or `true` on the pipelined run). */
export const kyselyPostgresJsTarget: ConformanceTarget = {
  name: 'kysely (ClaimsKysely) on postgres.js (prepare: false, or true on the pipelined run)',
  async create({ url, claims, poolSize, pipeline }) {
    const { sql: client, opened } = countingPostgresJs(url, poolSize, { prepare: pipeline })
    const db = new ClaimsKysely<unknown>({ sql: client, claims })
    const scope = (handle: Kysely<unknown>) => ({
      transaction: <T>(work: (run: (text: string) => Promise<Record<string, unknown>[]>) => Promise<T>) =>
        handle.transaction().execute((trx) => work((text) => rows(trx, text))),
      query: (text: string) => rows(handle, text),
    })
    return adapterUnderTest({
      withClaims: (token, call) => scope(db.withClaims(token, call)),
      withVerifiedClaims: (verified) => scope(db.withVerifiedClaims(verified)),
      plainQuery: (text) => rows(db, text),
      connectionsOpened: opened,
      close: () => db.destroy(),
    })
  },
}
