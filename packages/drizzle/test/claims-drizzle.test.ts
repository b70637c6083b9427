import { createClaims, installHelpers, isPgClaimsError, type PgClaimsErrorCode } from '@pg-claims/core'
import { claimsDrizzle } from '@pg-claims/drizzle'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { alias } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { notes, notesSetupSql } from './notes-schema.js'

const claims = createClaims({
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
})
const token = (sub: string) => signToken({ sub, role: 'authenticated' })

let database: TestDatabase
let pool: pg.Pool
let opened = 0

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(notesSetupSql)
    },
  })
  pool = new pg.Pool({ connectionString: database.url, max: 1 })
  pool.on('connect', () => {
    opened += 1
  })
})

afterAll(async () => {
  await pool?.end()
  await database?.drop()
})

const db = () => claimsDrizzle(drizzle(pool, { schema: { notes } }), claims)

beforeEach(async () => {
  const admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  await admin.query('truncate notes')
  await admin.end()
})

async function errorCode(promise: Promise<unknown>): Promise<PgClaimsErrorCode | string> {
  const error = await promise.then(
    () => 'no error',
    (caught: unknown) => caught,
  )
  return isPgClaimsError(error) ? error.code : String(error)
}

describe('direct queries', () => {
  it('run each statement kind in its own claims transaction, under RLS', async () => {
    const alice = db().withClaims(await token('alice'))
    const bob = db().withClaims(await token('bob'))
    const inserted = await alice
      .insert(notes)
      .values([{ body: 'a1' }, { body: 'a2' }])
      .returning()
    await bob.insert(notes).values({ body: 'b1' })
    await alice.update(notes).set({ body: 'a1!' }).where(eq(notes.body, 'a1'))
    await bob.update(notes).set({ body: 'stolen' }) // RLS: bob's update sees only his row
    await alice.delete(notes).where(eq(notes.body, 'a2'))

    expect(inserted.map(({ owner, body }) => ({ owner, body }))).toEqual([
      { owner: 'alice', body: 'a1' },
      { owner: 'alice', body: 'a2' },
    ])
    expect(await alice.select({ owner: notes.owner, body: notes.body }).from(notes)).toEqual([
      { owner: 'alice', body: 'a1!' },
    ])
    expect(await bob.query.notes.findMany({ columns: { owner: true, body: true } })).toEqual([
      { owner: 'bob', body: 'stolen' },
    ])
    expect(await alice.$count(notes)).toBe(1)
    expect((await alice.execute(sql`select current_user as role, auth.user_id() as uid`)).rows).toEqual([
      { role: 'authenticated', uid: 'alice' },
    ])
    expect(await db().withClaims(null).select().from(notes)).toEqual([])
  })

  it('map left joins with no match to null, as plain Drizzle does', async () => {
    const alice = db().withClaims(await token('alice'))
    await alice.insert(notes).values({ body: 'a1' })
    const other = alias(notes, 'other')
    const rows = await alice
      .select({ body: notes.body, other: { body: other.body } })
      .from(notes)
      .leftJoin(other, eq(other.id, -1))
    expect(rows).toEqual([{ body: 'a1', other: null }])
  })

  it('open a new transaction per statement', async () => {
    const alice = db().withClaims(await token('alice'))
    const xact = sql`select pg_current_xact_id()::text as id`
    const [first] = (await alice.execute(xact)).rows
    const [second] = (await alice.execute(xact)).rows
    expect(first).not.toEqual(second)
  })
})

describe('transaction', () => {
  it('honours isolationLevel and accessMode', async () => {
    const alice = db().withClaims(await token('alice'))
    const row = await alice.transaction(
      async (tx) =>
        (
          await tx.execute(
            sql`select current_setting('transaction_isolation') as iso, current_setting('transaction_read_only') as ro, auth.user_id() as uid`,
          )
        ).rows[0],
      { isolationLevel: 'serializable', accessMode: 'read only' },
    )
    expect(row).toEqual({ iso: 'serializable', ro: 'on', uid: 'alice' })
    await expect(
      alice.transaction((tx) => tx.insert(notes).values({ body: 'x' }), { accessMode: 'read only' }),
    ).rejects.toThrow()
  })

  it('keeps the claims in nested savepoints, and rolls a nested one back alone', async () => {
    const alice = db().withClaims(await token('alice'))
    const seen = await alice.transaction(async (tx) => {
      await tx.insert(notes).values({ body: 'kept' })
      const inner = await tx.transaction(async (nested) => {
        const [row] = (await nested.execute(sql`select auth.user_id() as uid, current_user as role`)).rows
        return row
      })
      await tx
        .transaction(async (nested) => {
          await nested.insert(notes).values({ body: 'dropped' })
          nested.rollback()
        })
        .catch(() => undefined)
      return inner
    })
    expect(seen).toEqual({ uid: 'alice', role: 'authenticated' })
    expect(await alice.select({ body: notes.body }).from(notes)).toEqual([{ body: 'kept' }])
  })

  it('rolls back on tx.rollback()', async () => {
    const alice = db().withClaims(await token('alice'))
    await expect(
      alice.transaction(async (tx) => {
        await tx.insert(notes).values({ body: 'never' })
        tx.rollback()
      }),
    ).rejects.toThrow('Rollback')
    expect(await alice.$count(notes)).toBe(0)
  })
})

describe('isolation between callers', () => {
  it('never carries claims across the one pooled connection', async () => {
    const pids = new Set<unknown>()
    const alice = db().withClaims(await token('alice'))
    const bob = db().withClaims(await token('bob'))
    await alice.transaction(async (tx) => {
      pids.add((await tx.execute(sql`select pg_backend_pid() as pid`)).rows[0]?.pid)
      await tx.insert(notes).values({ body: 'a' })
    })
    const bobSees = await bob.execute(sql`select pg_backend_pid() as pid, auth.user_id() as uid`)
    const bobNotes = await bob.select().from(notes)
    const plain = await db().execute(
      sql`select pg_backend_pid() as pid, current_user as role, auth.session() as session`,
    )
    pids.add(bobSees.rows[0]?.pid).add(plain.rows[0]?.pid)
    expect({ pids: pids.size, bob: bobSees.rows[0]?.uid, bobNotes, plain: plain.rows[0] }).toEqual({
      pids: 1,
      bob: 'bob',
      bobNotes: [],
      plain: { pid: expect.any(Number), role: 'authenticator', session: null },
    })
  })

  it('verifies the token before a connection is taken, for builders as for transactions', async () => {
    await pool.end()
    pool = new pg.Pool({ connectionString: database.url, max: 1 })
    pool.on('connect', () => {
      opened += 1
    })
    const before = opened
    const forged = `${(await token('mallory')).slice(0, -3)}AAA`
    expect(await errorCode(db().withClaims(forged).select().from(notes))).toBe('TOKEN_SIGNATURE_INVALID')
    expect(
      await errorCode(
        db()
          .withClaims('nope')
          .transaction(async () => 1),
      ),
    ).toBe('TOKEN_MALFORMED')
    expect({ opened: opened - before, total: pool.totalCount }).toEqual({ opened: 0, total: 0 })
  })
})

describe('withVerifiedClaims', () => {
  it('runs claims your auth layer verified', async () => {
    const carol = db().withVerifiedClaims({ sub: 'carol', role: 'authenticated' })
    await carol.insert(notes).values({ body: 'c' })
    expect(await carol.select({ owner: notes.owner }).from(notes)).toEqual([{ owner: 'carol' }])
  })

  it('refuses claims that cannot be stored, at once', () => {
    expect(() => db().withVerifiedClaims({ sub: 'bad\u0000', role: 'authenticated' })).toThrow(
      expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }),
    )
  })
})

describe('the plain database', () => {
  it("lends its logger to the claims database, which logs the caller's queries only", async () => {
    const logged: string[] = []
    const logger = { logQuery: (query: string) => logged.push(query) }
    const logging = claimsDrizzle(drizzle(pool, { logger }), claims)
    await logging.withClaims(await token('alice')).transaction((tx) => tx.select().from(notes))
    await logging.withClaims(await token('alice')).execute(sql`select 1`)
    expect(logged).toEqual(['select "id", "owner", "body", "org_id" from "notes"', 'select 1'])
  })

  it('stays claim-free', async () => {
    const plain = db()
    await plain
      .withClaims(await token('alice'))
      .insert(notes)
      .values({ body: 'a' })
    const { rows } = await plain.execute(
      sql`select current_user as role, auth.session() as session, current_setting('jwt.claims.sub', true) as sub`,
    )
    expect(rows).toEqual([{ role: 'authenticator', session: null, sub: '' }])
  })
})
