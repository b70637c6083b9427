import { ClaimsKysely } from '@pg-claims/kysely'
import { hostAndPortOf, type PgProxy, startPgProxy, type TestDatabase } from '@pg-claims/testing'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, notesDatabase, testClaims, tokenFor } from './fixture.js'

describe.each([
  { pipeline: true, direct: { plain: 1, claims: 1 }, transaction: { plain: 3, claims: 2 }, savepoint: 4 },
  { pipeline: false, direct: { plain: 1, claims: 3 }, transaction: { plain: 3, claims: 3 }, savepoint: 5 },
])('flights, pipeline: $pipeline', ({ pipeline, direct, transaction, savepoint }) => {
  let database: TestDatabase
  let proxy: PgProxy
  let db: ClaimsKysely<Database>
  let claimed: Kysely<Database>

  beforeAll(async () => {
    database = await notesDatabase()
    const { host, port } = hostAndPortOf(database.url)
    proxy = await startPgProxy({ upstreamHost: host, upstreamPort: port })
    const pool = new pg.Pool({ connectionString: proxy.connectionString(database.url), max: 1, pipeline })
    db = new ClaimsKysely<Database>({ pool, claims: testClaims() })
    claimed = db.withClaims(await tokenFor('alice'))
    // open the pooled connection and fill the token cache, so only the work itself is counted
    await sql`select 1`.execute(claimed)
  })
  afterAll(async () => {
    await db?.destroy()
    await proxy?.close()
    await database?.drop()
  })

  /** Flights `work` takes on `plain` (no claims) and on `claims`. */
  async function count(work: (on: Kysely<Database>) => Promise<unknown>) {
    const plain = await proxy.flightsOf(() => work(db))
    return { plain, claims: await proxy.flightsOf(() => work(claimed)) }
  }

  // a parameterized query (extended protocol) that the login role, without claims, may run too
  const select = (on: Kysely<Database>) => sql`select ${1}::int as one, now() as at`.execute(on)

  it('a direct query: its own claims transaction, in one flight when pipelined', async () => {
    expect(await count(select)).toEqual(direct)
  })

  it('a one-query transaction: BEGIN and the settings leave with the query when pipelined', async () => {
    expect(await count((on) => on.transaction().execute(select))).toEqual(transaction)
    expect(
      await count((on) =>
        on.transaction().setIsolationLevel('serializable').setAccessMode('read only').execute(select),
      ),
    ).toEqual(transaction)
  })

  it('a controlled transaction with a savepoint', async () => {
    const work = async (on: Kysely<Database>) => {
      const trx = await on.startTransaction().execute()
      await select(trx)
      const savepoint = await trx.savepoint('s').execute()
      await savepoint.releaseSavepoint('s').execute()
      await trx.commit().execute()
    }
    expect(await count(work)).toEqual({ plain: 5, claims: savepoint })
  })
})
