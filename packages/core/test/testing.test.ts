import { AssertionError } from 'node:assert'
import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { asClaims, expectDenied, expectRows } from '@pg-claims/core/testing'
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let pool: pg.Pool
const claims = createClaims({
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
})
const alice = { sub: 'alice', role: 'authenticated' }
const bob = { sub: 'bob', role: 'authenticated' }

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(`
        create table notes (id serial primary key, owner text not null default auth.user_id(), body text not null);
        alter table notes enable row level security;
        grant select, insert, update, delete on notes to authenticated;
        grant select on notes to anon;
        grant usage on sequence notes_id_seq to authenticated;
        create policy own_notes on notes to authenticated
          using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
        insert into notes (owner, body) values ('alice', 'by alice');`)
    },
  })
  pool = new pg.Pool({ connectionString: database.url, max: 2 })
})

afterAll(async () => {
  await pool?.end()
  await database?.drop()
})

const db = () => claimsPool(pool, claims)

async function adminCount(): Promise<number> {
  const admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  try {
    return (await admin.query('select count(*)::int as count from notes')).rows[0].count
  } finally {
    await admin.end()
  }
}

describe('asClaims', () => {
  it('runs as the caller, returns what the callback returns, and always rolls back', async () => {
    const seen = await asClaims(db(), alice, async (client, context) => {
      await client.query(`insert into notes (body) values ('draft')`)
      const { rows } = await client.query('select current_user as role, auth.user_id() as sub')
      return { ...rows[0], role_of_context: context.role }
    })
    expect(seen).toEqual({ role: 'authenticated', sub: 'alice', role_of_context: 'authenticated' })
    expect(await adminCount()).toBe(1) // only the row of the setup
  })

  it('rethrows what the callback throws, and rolls back', async () => {
    const failure = new Error('boom')
    await expect(
      asClaims(db(), alice, async (client) => {
        await client.query(`insert into notes (body) values ('lost')`)
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(await adminCount()).toBe(1)
  })

  it('null is the anonymous caller (the default role)', async () => {
    const role = await asClaims(
      db(),
      null,
      async (client) => (await client.query('select current_user as r')).rows[0].r,
    )
    expect(role).toBe('anon')
  })

  it('refuses a role outside roles.allowed, as production does', async () => {
    await expect(asClaims(db(), { sub: 'x', role: 'postgres' }, async () => 1)).rejects.toMatchObject({
      code: 'ROLE_NOT_ALLOWED',
    })
  })
})

describe('expectRows', () => {
  it('passes on the rows, a count, or at least one row, and returns them', async () => {
    await asClaims(db(), alice, async (client) => {
      expect(await expectRows(client, 'select body from notes', [{ body: 'by alice' }])).toEqual([
        { body: 'by alice' },
      ])
      await expectRows(client, { text: 'select * from notes where body = $1', values: ['by alice'] }, 1)
      await expectRows(client, 'select * from notes')
    })
  })

  it('throws an AssertionError with actual and expected when they differ', async () => {
    await asClaims(db(), bob, async (client) => {
      const error = await expectRows(client, 'select body from notes', [{ body: 'by alice' }]).catch((e) => e)
      expect(error).toBeInstanceOf(AssertionError)
      expect(error).toMatchObject({ actual: [], expected: [{ body: 'by alice' }] })
      await expect(expectRows(client, 'select body from notes')).rejects.toThrow(
        'expected at least one row from "select body from notes", got 0',
      )
    })
  })
})

describe('expectDenied', () => {
  it('no_rows: USING hides every row from a read, an update or a delete', async () => {
    await asClaims(db(), bob, async (client) => {
      expect(await expectDenied(client, 'select * from notes')).toEqual({ reason: 'no_rows' })
      expect(await expectDenied(client, `update notes set body = 'mine now'`)).toEqual({ reason: 'no_rows' })
      expect(await expectDenied(client, 'delete from notes')).toEqual({ reason: 'no_rows' })
    })
  })

  it('insufficient_privilege: a WITH CHECK violation or a missing grant (42501), and the transaction goes on', async () => {
    await asClaims(db(), bob, async (client) => {
      expect(
        await expectDenied(client, `insert into notes (owner, body) values ('alice', 'forged')`),
      ).toEqual({
        reason: 'insufficient_privilege',
        message: 'new row violates row-level security policy for table "notes"',
      })
      await client.query(`insert into notes (body) values ('by bob')`) // still usable after the denial
      await expectRows(client, 'select body from notes', [{ body: 'by bob' }])
    })
    await asClaims(db(), null, async (client) => {
      expect(await expectDenied(client, `insert into notes (body) values ('anonymous')`)).toMatchObject({
        reason: 'insufficient_privilege',
        message: 'permission denied for table notes',
      })
    })
  })

  it('fails when the statement is allowed, and rethrows any other error', async () => {
    await asClaims(db(), alice, async (client) => {
      await expect(expectDenied(client, 'select body from notes')).rejects.toThrow(
        'expected "select body from notes" to be denied, but it returned 1 row(s)',
      )
      await expect(expectDenied(client, `update notes set body = 'edited'`)).rejects.toThrow(
        'but it changed 1 row(s)',
      )
      await expect(expectDenied(client, 'select * from no_such_table')).rejects.toMatchObject({
        code: '42P01',
      })
      await expectRows(client, 'select 1 as one', [{ one: 1 }])
    })
  })
})
