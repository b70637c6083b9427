import { isPgClaimsError } from '@pg-claims/core'
import type { TestDatabase } from '@pg-claims/testing'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimsDb, notesDatabase, tokenFor } from './fixture.js'

describe('claims transactions', () => {
  let database: TestDatabase
  let fixture: ReturnType<typeof claimsDb>

  beforeAll(async () => {
    database = await notesDatabase()
    fixture = claimsDb(database.url)
  })
  afterAll(async () => {
    await fixture?.db.destroy()
    await database?.drop()
  })

  const whoAmI = sql<{ role: string; uid: string | null }>`select current_user as role, auth.user_id() as uid`

  it('runs transaction().execute under the claims, honouring isolation level and access mode', async () => {
    const row = await fixture.db
      .withClaims(await tokenFor('alice'))
      .transaction()
      .setIsolationLevel('serializable')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const { rows } = await sql<{ role: string; uid: string; iso: string; ro: string }>`
          select current_user as role, auth.user_id() as uid,
            current_setting('transaction_isolation') as iso, current_setting('transaction_read_only') as ro`.execute(
          trx,
        )
        return rows[0]
      })
    expect(row).toEqual({ role: 'authenticated', uid: 'alice', iso: 'serializable', ro: 'on' })
  })

  it('runs every query of transaction().execute in the one transaction, and commits it', async () => {
    const scope = fixture.db.withClaims(await tokenFor('alice'))
    const txids = await scope.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ body: 'in a transaction' }).execute()
      const first = await sql<{ id: string }>`select txid_current()::text as id`.execute(trx)
      const second = await sql<{ id: string }>`select txid_current()::text as id`.execute(trx)
      return [first.rows[0]!.id, second.rows[0]!.id]
    })
    expect(new Set(txids).size).toBe(1)
    expect(
      await scope.selectFrom('notes').select('body').where('body', '=', 'in a transaction').execute(),
    ).toEqual([{ body: 'in a transaction' }])
  })

  it('rolls back when the callback throws, and rethrows', async () => {
    const scope = fixture.db.withClaims(await tokenFor('bob'))
    const failure = new Error('callback failed')
    await expect(
      scope.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ body: 'never' }).execute()
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(await scope.selectFrom('notes').selectAll().execute()).toEqual([])
  })

  it('carries the claims through startTransaction and its savepoints', async () => {
    const trx = await fixture.db
      .withClaims(await tokenFor('carol', { org_id: 3 }))
      .startTransaction()
      .setIsolationLevel('repeatable read')
      .execute()
    await trx.insertInto('notes').values({ body: 'kept' }).execute()
    const savepoint = await trx.savepoint('before_draft').execute()
    await savepoint.insertInto('notes').values({ body: 'draft' }).execute()
    const rolledBack = await savepoint.rollbackToSavepoint('before_draft').execute()
    const inside = await whoAmI.execute(rolledBack)
    const released = await rolledBack.savepoint('second').execute()
    await (await released.releaseSavepoint('second').execute()).commit().execute()
    expect(inside.rows).toEqual([{ role: 'authenticated', uid: 'carol' }])
    expect(
      await fixture.db
        .withClaims(await tokenFor('carol'))
        .selectFrom('notes')
        .select(['body', 'org_id'])
        .execute(),
    ).toEqual([{ body: 'kept', org_id: 3 }])
  })

  it('rolls back a controlled transaction', async () => {
    const scope = fixture.db.withClaims(await tokenFor('dave'))
    const trx = await scope.startTransaction().execute()
    await trx.insertInto('notes').values({ body: 'discarded' }).execute()
    await trx.rollback().execute()
    expect(await scope.selectFrom('notes').selectAll().execute()).toEqual([])
  })

  it('answers ROLE_UNKNOWN and ROLE_NOT_GRANTED from every path and leaves the connection clean', async () => {
    const ghost = fixture.db.withClaims(await tokenFor('x', { role: 'kysely_missing_role' }))
    const ungranted = fixture.db.withClaims(await tokenFor('x', { role: 'kysely_ungranted' }))
    const codes = await Promise.all(
      [
        ghost.transaction().execute(async () => 'ran'),
        ghost.startTransaction().execute(),
        ungranted.transaction().execute(async () => 'ran'),
        ungranted.selectFrom('notes').selectAll().execute(),
      ].map((attempt) =>
        attempt.then(
          () => 'no error',
          (error: unknown) => (isPgClaimsError(error) ? error.code : String(error)),
        ),
      ),
    )
    expect(codes).toEqual(['ROLE_UNKNOWN', 'ROLE_UNKNOWN', 'ROLE_NOT_GRANTED', 'ROLE_NOT_GRANTED'])
    const { rows } = await sql`select current_user as role, auth.session() as session,
      pg_catalog.txid_current_if_assigned() as txid, now() = statement_timestamp() as fresh`.execute(
      fixture.db,
    )
    expect(rows).toEqual([{ role: 'authenticator', session: null, txid: null, fresh: true }])
  })

  it('refuses the snapshot isolation level, which PostgreSQL does not have, before sending anything', async () => {
    const attempt = fixture.db
      .withClaims(await tokenFor('alice'))
      .transaction()
      .setIsolationLevel('snapshot')
      .execute(async () => 'ran')
    await expect(attempt).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })
})
