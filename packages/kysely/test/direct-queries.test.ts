import { isPgClaimsError } from '@pg-claims/core'
import type { TestDatabase } from '@pg-claims/testing'
import { CamelCasePlugin, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claimsDb, notesDatabase, tokenFor } from './fixture.js'

describe('queries run directly on a claims handle', () => {
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

  it('runs insertInto, selectFrom, updateTable and raw sql each in a claims transaction of its own', async () => {
    const alice = fixture.db.withClaims(await tokenFor('alice', { org_id: 1 }))
    const inserted = await alice
      .insertInto('notes')
      .values({ body: 'a1' })
      .returning(['owner', 'org_id'])
      .execute()
    await alice.updateTable('notes').set({ body: 'a1 edited' }).where('body', '=', 'a1').execute()
    const selected = await alice.selectFrom('notes').select(['owner', 'body']).execute()
    const raw = await sql<{
      role: string
      uid: string
    }>`select current_user as role, auth.user_id() as uid`.execute(alice)
    const txids = await Promise.all(
      [1, 2].map(
        async () => (await sql<{ id: string }>`select txid_current()::text as id`.execute(alice)).rows[0]!.id,
      ),
    )
    expect({ inserted, selected, raw: raw.rows, separate: new Set(txids).size }).toEqual({
      inserted: [{ owner: 'alice', org_id: 1 }],
      selected: [{ owner: 'alice', body: 'a1 edited' }],
      raw: [{ role: 'authenticated', uid: 'alice' }],
      separate: 2,
    })
  })

  it('enforces RLS on writes and rolls back a failed statement', async () => {
    const bob = fixture.db.withClaims(await tokenFor('bob'))
    const refused = await bob
      .insertInto('notes')
      .values({ body: 'forged', owner: 'alice' })
      .execute()
      .catch((error: unknown) => error)
    expect(refused).toMatchObject({ code: '42501' })
    expect(isPgClaimsError(refused)).toBe(false)
    expect(await bob.selectFrom('notes').selectAll().execute()).toEqual([])
    const { rows } = await sql`select current_user as role, now() = statement_timestamp() as fresh`.execute(
      fixture.db,
    )
    expect(rows).toEqual([{ role: 'authenticator', fresh: true }])
  })

  it('gives each query on connection() its own claims transaction', async () => {
    const uids = await fixture.db
      .withClaims(await tokenFor('carol'))
      .connection()
      .execute(async (connection) => {
        const first = await sql<{ uid: string }>`select auth.user_id() as uid`.execute(connection)
        const second = await sql<{ uid: string }>`select auth.user_id() as uid`.execute(connection)
        return [first.rows[0]?.uid, second.rows[0]?.uid]
      })
    expect(uids).toEqual(['carol', 'carol'])
  })

  it('keeps the claims through withSchema, withPlugin and withTables', async () => {
    const scope = fixture.db.withClaims(await tokenFor('alice'))
    const derived = [
      scope.withSchema('public'),
      scope.withPlugin(new CamelCasePlugin()),
      scope.withTables<{ extra: { id: number } }>(),
    ]
    const uids = await Promise.all(
      derived.map(
        async (handle) => (await sql<{ uid: string }>`select auth.user_id() as uid`.execute(handle)).rows,
      ),
    )
    expect(uids).toEqual(Array(3).fill([{ uid: 'alice' }]))
  })

  it('leaves the plain instance as Kysely has it: no claims', async () => {
    await fixture.db
      .withClaims(await tokenFor('alice'))
      .selectFrom('notes')
      .selectAll()
      .execute()
    const { rows } = await sql`select current_user as role, auth.session() as session`.execute(fixture.db)
    expect(rows).toEqual([{ role: 'authenticator', session: null }])
  })

  it('refuses streaming, which would need its own transaction per cursor', async () => {
    const stream = fixture.db
      .withClaims(await tokenFor('alice'))
      .selectFrom('notes')
      .selectAll()
      .stream()
    await expect(stream.next()).rejects.toThrow('does not stream')
  })
})

describe('verification and pooled connections', () => {
  let database: TestDatabase
  let fixture: ReturnType<typeof claimsDb>

  beforeAll(async () => {
    database = await notesDatabase()
    fixture = claimsDb(database.url, 1)
  })
  afterAll(async () => {
    await fixture?.db.destroy()
    await database?.drop()
  })

  it('verifies the token before taking a connection, on every path', async () => {
    const before = fixture.acquired()
    const forged = fixture.db.withClaims(`${(await tokenFor('mallory')).slice(0, -3)}AAA`)
    const codes = await Promise.all(
      [
        forged.selectFrom('notes').selectAll().execute(),
        forged.transaction().execute(async () => 'ran'),
        forged.startTransaction().execute(),
        sql`select 1`.execute(forged),
      ].map((attempt) =>
        attempt.then(
          () => 'no error',
          (error: unknown) => (isPgClaimsError(error) ? error.code : String(error)),
        ),
      ),
    )
    expect(codes).toEqual(Array(4).fill('TOKEN_SIGNATURE_INVALID'))
    expect(fixture.acquired()).toBe(before)
  })

  it('never lets one caller’s claims reach the next user of a pooled connection', async () => {
    const seen: unknown[] = []
    const look = sql<{ pid: number; role: string; uid: string | null; sub: string }>`
      select pg_backend_pid() as pid, current_user as role, auth.user_id() as uid,
        current_setting('jwt.claims.sub', true) as sub`
    for (const user of ['alice', 'bob']) {
      const scope = fixture.db.withClaims(await tokenFor(user))
      seen.push((await look.execute(scope)).rows[0])
      seen.push(await scope.transaction().execute(async (trx) => (await look.execute(trx)).rows[0]))
      const controlled = await scope.startTransaction().execute()
      seen.push((await look.execute(controlled)).rows[0])
      await controlled.commit().execute()
      seen.push((await look.execute(fixture.db)).rows[0])
    }
    seen.push((await look.execute(fixture.db.withClaims(null))).rows[0])
    const pids = new Set(seen.map((row) => (row as { pid: number }).pid))
    const withoutPid = seen.map((row) => ({ ...(row as object), pid: undefined }))
    const as = (role: string, uid: string | null, sub: string) => ({ pid: undefined, role, uid, sub })
    expect({ pids: pids.size, rows: withoutPid }).toEqual({
      pids: 1,
      rows: [
        ...Array(3).fill(as('authenticated', 'alice', 'alice')),
        as('authenticator', null, ''),
        ...Array(3).fill(as('authenticated', 'bob', 'bob')),
        as('authenticator', null, ''),
        as('anon', null, ''),
      ],
    })
  })

  it('takes claims your own auth layer verified only through withVerifiedClaims, checked at once', async () => {
    const { rows } = await sql`select current_user as role, auth.user_id() as uid`.execute(
      fixture.db.withVerifiedClaims({ sub: 'erin', role: 'authenticated' }),
    )
    expect(rows).toEqual([{ role: 'authenticated', uid: 'erin' }])
    expect(() => fixture.db.withVerifiedClaims({ sub: 'nul\u0000' })).toThrow(
      expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }),
    )
  })

  it('leaves the pool open when a claims handle is destroyed', async () => {
    await fixture.db.withClaims(null).destroy()
    const { rows } = await sql`select 1 as one`.execute(fixture.db)
    expect(rows).toEqual([{ one: 1 }])
  })
})
