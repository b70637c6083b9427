import { claimsPool, createClaims, installHelpers, type PgClaimsErrorCode } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let pool: pg.Pool

const claims = createClaims({
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated', 'ghost', 'claims_unreachable'] },
})

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(`
        do $$ begin create role claims_unreachable nologin; exception when duplicate_object then null; end $$;
        create table notes (id serial primary key, owner text not null default auth.user_id(), body text not null);
        alter table notes enable row level security;
        grant select, insert on notes to authenticated;
        grant usage on sequence notes_id_seq to authenticated;
        create policy own_notes on notes to authenticated
          using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
      `)
    },
  })
  pool = new pg.Pool({ connectionString: database.url, max: 1 })
})

afterAll(async () => {
  await pool.end()
  await database.drop()
})

const token = (claims: Record<string, unknown>) => signToken({ role: 'authenticated', ...claims })

describe('claimsPool', () => {
  const db = () => claimsPool(pool, claims)

  it('shows the claims and the role inside the transaction', async () => {
    const row = await db()
      .withClaims(await token({ sub: 'alice', org: { id: 7 } }))
      .transaction(async (client) => {
        const { rows } = await client.query(`select current_user, auth.user_id() as uid,
          current_setting('jwt.claims.sub') as sub, current_setting('jwt.claims.org') as org,
          auth.session() ->> 'role' as role_claim`)
        return rows[0]
      })
    expect(row).toEqual({
      current_user: 'authenticated',
      uid: 'alice',
      sub: 'alice',
      org: '{"id":7}',
      role_claim: 'authenticated',
    })
  })

  it('leaves the same physical connection with the login role and no claims afterwards', async () => {
    const pid = await db()
      .withClaims(await token({ sub: 'alice' }))
      .transaction(async (client) => (await client.query('select pg_backend_pid() as pid')).rows[0].pid)
    const client = await pool.connect()
    try {
      const { rows } =
        await client.query(`select pg_backend_pid() as pid, current_user, auth.session() as session,
        auth.user_id() as uid, current_setting('jwt.claims.sub', true) as sub`)
      expect(rows[0]).toEqual({ pid, current_user: 'authenticator', session: null, uid: null, sub: '' })
    } finally {
      client.release()
    }
  })

  it('lets RLS policies see only the caller’s rows', async () => {
    const alice = db().withClaims(await token({ sub: 'alice' }))
    const bob = db().withClaims(await token({ sub: 'bob' }))
    await alice.query(`insert into notes (body) values ('alice 1'), ('alice 2')`)
    await bob.query(`insert into notes (body) values ('bob 1')`)
    expect((await alice.query('select body from notes order by id')).rows.map((r) => r.body)).toEqual([
      'alice 1',
      'alice 2',
    ])
    expect((await bob.query('select body from notes')).rows.map((r) => r.body)).toEqual(['bob 1'])
    await expect(bob.query(`insert into notes (owner, body) values ('alice', 'forged')`)).rejects.toThrow(
      /row-level security/,
    )
  })

  it('runs the anonymous caller as the default role, with only the role in its claims', async () => {
    const row = await db()
      .withClaims(null)
      .transaction(async (client) => (await client.query('select current_user, auth.session() as s')).rows[0])
    expect(row).toEqual({ current_user: 'anon', s: { role: 'anon' } })
  })

  it('rolls back and rethrows when the callback throws', async () => {
    const scope = db().withClaims(await token({ sub: 'carol' }))
    await expect(
      scope.transaction(async (client) => {
        await client.query(`insert into notes (body) values ('never')`)
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect((await scope.query('select count(*)::int as n from notes')).rows[0]!.n).toBe(0)
  })

  it('verifies the token before taking a connection', async () => {
    const counting = new pg.Pool({ connectionString: database.url })
    let connects = 0
    counting.on('connect', () => {
      connects += 1
    })
    const scope = claimsPool(counting, claims).withClaims(`${(await token({ sub: 'x' })).slice(0, -4)}AAAA`)
    await expect(scope.query('select 1')).rejects.toMatchObject({ code: 'TOKEN_SIGNATURE_INVALID' })
    expect([connects, counting.totalCount]).toEqual([0, 0])
    await counting.end()
  })

  it.each([
    ['a role that does not exist', 'ghost', 'ROLE_UNKNOWN'],
    ['a role the login role was not granted', 'claims_unreachable', 'ROLE_NOT_GRANTED'],
    ['a role outside the allow-list', 'postgres', 'ROLE_NOT_ALLOWED'],
  ] as const)('refuses %s with a typed error and leaves the connection clean', async (_name, role, code) => {
    const error = await db()
      .withClaims(await signToken({ role, sub: 'x' }))
      .query('select 1')
      .catch((caught: unknown) => caught)
    expect((error as { code: PgClaimsErrorCode }).code).toBe(code)
    const { rows } = await pool.query('select current_user, auth.session() as s')
    expect(rows[0]).toEqual({ current_user: 'authenticator', s: null })
  })

  it('honours isolation level and access mode', async () => {
    const row = await db()
      .withClaims(await token({ sub: 'alice' }))
      .transaction(
        async (client) =>
          (
            await client.query(
              `select current_setting('transaction_isolation') as iso, current_setting('transaction_read_only') as ro`,
            )
          ).rows[0],
        { isolationLevel: 'serializable', accessMode: 'read only' },
      )
    expect(row).toEqual({ iso: 'serializable', ro: 'on' })
  })

  it('takes claims from your own auth layer only through withVerifiedClaims', async () => {
    const row = await db()
      .withVerifiedClaims({ sub: 'dave', role: 'authenticated' })
      .transaction(
        async (client) => (await client.query('select current_user, auth.user_id() as uid')).rows[0],
      )
    expect(row).toEqual({ current_user: 'authenticated', uid: 'dave' })
  })
})
