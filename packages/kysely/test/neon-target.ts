import { ClaimsKysely } from '@pg-claims/kysely'
import { adapterUnderTest, type ConformanceTarget, countingNeonPool } from '@pg-claims/testing'
import { type Kysely, sql } from 'kysely'

const rows = async (db: Kysely<unknown>, text: string) =>
  (await sql.raw<Record<string, unknown>>(text).execute(db)).rows

/** `ClaimsKysely` on Neon's serverless `Pool` (WebSocket transport, through the harness's bridge). */
export const kyselyNeonTarget: ConformanceTarget = {
  name: 'kysely (ClaimsKysely) on @neondatabase/serverless Pool',
  async create({ url, claims, poolSize }) {
    const { pool, opened } = await countingNeonPool(url, poolSize)
    const db = new ClaimsKysely<unknown>({ pool, claims })
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
