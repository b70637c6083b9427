import { claimsPool, createClaims, helpersSql, installHelpers } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let pool: pg.Pool
const claims = createClaims({
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
})

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await installHelpers(admin) // idempotent
      await installHelpers(admin, { schema: 'app_auth' })
    },
  })
  pool = new pg.Pool({ connectionString: database.url, max: 2 })
})

afterAll(async () => {
  await pool.end()
  await database.drop()
})

const UUID = '3f8c2a9e-5b1d-4c7a-9e2f-1a2b3c4d5e6f'
const ORG = '0b7e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d'

async function helpers(
  payload: Record<string, unknown> | null,
  sql = `select auth.session() as session, auth.jwt() as jwt,
  auth.user_id() as user_id, auth.uid() as uid, auth.organization() as organization,
  auth.organization_id() as organization_id, auth.role() as role, auth.email() as email`,
) {
  const scope =
    payload === null
      ? claimsPool(pool, claims).withClaims(null)
      : claimsPool(pool, claims).withClaims(await signToken(payload))
  return (await scope.query(sql)).rows[0]!
}

async function uuidHelpers(text: string) {
  const { rows } = await claimsPool(pool, claims)
    .withVerifiedClaims({ sub: text, o: { id: text } })
    .query('select auth.uid() as uid, auth.organization_id() as organization_id')
  return rows[0]
}

describe('SQL helpers (pg_session_jwt fallback mode and Supabase names)', () => {
  it('reads every helper from the verified claims', async () => {
    expect(
      await helpers({
        sub: UUID,
        role: 'authenticated',
        email: 'a@example.com',
        o: { id: ORG, name: 'acme' },
      }),
    ).toMatchObject({
      user_id: UUID,
      uid: UUID,
      organization: { id: ORG, name: 'acme' },
      organization_id: ORG,
      role: 'authenticated',
      email: 'a@example.com',
    })
  })

  it('session() and jwt() are the claims object, and JSON null when nothing is set', async () => {
    const row = await helpers({ sub: 'u1', n: 1 })
    expect(row.session).toMatchObject({ sub: 'u1', n: 1 })
    expect(row.jwt).toEqual(row.session)
    const outside = await pool.query(
      `select auth.session() as session, auth.session() is null as sql_null, jsonb_typeof(auth.session()) as type`,
    )
    expect(outside.rows[0]).toEqual({ session: null, sql_null: false, type: 'null' })
  })

  it('falls back to request.jwt.claims set by anything else (PostgREST, Supabase)', async () => {
    const client = await pool.connect()
    try {
      await client.query('begin')
      await client.query(`select set_config('request.jwt.claims', '{"sub":"from-postgrest"}', true)`)
      expect((await client.query('select auth.user_id() as id')).rows[0].id).toBe('from-postgrest')
      await client.query('commit')
      // after the transaction the setting reads '' on this connection, not NULL
      const { rows } = await client.query(
        `select current_setting('request.jwt.claims', true) as raw, auth.session() as s`,
      )
      expect(rows[0]).toEqual({ raw: '', s: null })
    } finally {
      client.release()
    }
  })

  it('user_id() follows sub only when it is a string; uid() only when it is a UUID', async () => {
    expect(await helpers({ sub: 42 })).toMatchObject({ user_id: null, uid: null })
    expect(await helpers({ sub: 'not-a-uuid' })).toMatchObject({ user_id: 'not-a-uuid', uid: null })
    expect(await helpers({ sub: UUID.toUpperCase() })).toMatchObject({ uid: UUID })
    expect(await helpers({})).toMatchObject({ user_id: null, uid: null })
  })

  it('sub changes follow the token from one transaction to the next', async () => {
    expect((await helpers({ sub: 'first' })).user_id).toBe('first')
    expect((await helpers({ sub: 'second' })).user_id).toBe('second')
  })

  const spellings = [
    UUID.replaceAll('-', ''),
    `{${UUID}}`,
    `{${UUID.replaceAll('-', '')}}`,
    UUID.toUpperCase(),
    '3f8c-2a9e-5b1d-4c7a-9e2f-1a2b-3c4d-5e6f',
    '3f8c2a9e5b1d4c7a-9e2f1a2b3c4d5e6f',
  ]
  it.each(spellings)('uid() and organization_id() read %s as PostgreSQL reads it', async (spelling) => {
    const row = await uuidHelpers(spelling)
    expect(row).toEqual({ uid: UUID, organization_id: UUID })
  })

  const nearMisses = [
    `${UUID} `,
    ` ${UUID}`,
    `{${UUID}`,
    `${UUID}}`,
    UUID.replace('-', '--'),
    `-${UUID.replaceAll('-', '')}`,
    `${UUID.replaceAll('-', '')}-`,
    '3f8c2-a9e5b1d4c7a9e2f1a2b3c4d5e6f',
    `${UUID}\n`,
    UUID.replace('3', 'g'),
    UUID.slice(1),
    `${UUID}0`,
    `(${UUID})`,
    '',
  ]
  it.each(nearMisses)('uid() and organization_id() are NULL, never an error, for %j', async (spelling) => {
    expect(await uuidHelpers(spelling)).toEqual({ uid: null, organization_id: null })
  })

  it('uid() is exactly what a uuid cast accepts, NULL where it fails (property)', async () => {
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 3, maxLength: 5 })
    const spelling = fc
      .record({
        groups: fc.array(hex, { minLength: 7, maxLength: 9 }),
        hyphens: fc.array(fc.constantFrom('', '', '-', '--'), { minLength: 9, maxLength: 9 }),
        open: fc.constantFrom('', '', '{', ' '),
        close: fc.constantFrom('', '', '}', ' '),
      })
      .map(({ groups, hyphens, open, close }) =>
        [open, ...groups.flatMap((group, index) => [group, hyphens[index]]).slice(0, -1), close].join(''),
      )
    await fc.assert(
      fc.asyncProperty(spelling, async (text) => {
        const cast = await pool.query('select $1::uuid as u', [text]).then(
          ({ rows }) => rows[0].u as string,
          () => null,
        )
        expect(await uuidHelpers(text)).toEqual({ uid: cast, organization_id: cast })
      }),
      { numRuns: 300 },
    )
  }, 120_000) // a property: many round trips, slow on a loaded 2-core machine

  it('organization() needs an object; organization_id() a UUID id', async () => {
    expect(await helpers({ o: 'acme' })).toMatchObject({ organization: null, organization_id: null })
    expect(await helpers({ o: { id: 7 } })).toMatchObject({ organization: { id: 7 }, organization_id: null })
  })

  it('claim(name) reads one claim as text, objects as JSON, NULL when absent or null', async () => {
    const row = await helpers(
      { s: 'text', n: 1.5, b: true, o: { a: [1, 'x'] }, z: null },
      `select auth.claim('s') as s, auth.claim('n') as n, auth.claim('b') as b, auth.claim('o') as o,
        auth.claim('z') as z, auth.claim('missing') as missing`,
    )
    expect(row).toEqual({ s: 'text', n: '1.5', b: 'true', o: '{"a": [1, "x"]}', z: null, missing: null })
  })

  it('returns only the effective role for the anonymous caller (as PostgREST writes it)', async () => {
    expect(await helpers(null)).toMatchObject({
      session: { role: 'anon' },
      user_id: null,
      uid: null,
      role: 'anon',
    })
  })

  it('are all STABLE, PARALLEL SAFE, SQL, not SECURITY DEFINER, with no SET clause', async () => {
    const { rows } =
      await pool.query(`select p.proname, p.provolatile, p.proparallel, l.lanname, p.prosecdef, p.proconfig
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
      where n.nspname = 'auth' order by p.proname`)
    expect(rows.map((r) => r.proname)).toEqual([
      'claim',
      'email',
      'jwt',
      'organization',
      'organization_id',
      'role',
      'session',
      'uid',
      'user_id',
    ])
    for (const row of rows) {
      expect(row, row.proname).toMatchObject({
        provolatile: 's',
        proparallel: 's',
        lanname: 'sql',
        prosecdef: false,
        proconfig: null,
      })
    }
  })

  it('cannot be redirected through the caller’s search_path', async () => {
    const admin = new pg.Client({ connectionString: database.adminUrl })
    await admin.connect()
    try {
      await admin.query(`create schema if not exists evil;
        create or replace function evil.current_setting(text, boolean) returns text language sql
          as $$ select '{"sub":"mallory"}' $$;
        grant usage on schema evil to public`)
      const client = await pool.connect()
      try {
        await client.query('set search_path = evil, pg_catalog, public')
        const { rows } = await client.query(
          'select auth.user_id() as id, current_setting($1, true) as direct',
          ['request.jwt.claims'],
        )
        expect(rows[0]).toEqual({ id: null, direct: '{"sub":"mallory"}' })
      } finally {
        await client.query('reset search_path')
        client.release()
      }
    } finally {
      await admin.end()
    }
  })

  it('installs into another schema when asked, and refuses unsafe schema names', async () => {
    const { rows } = await pool.query(`select app_auth.session() as s`)
    expect(rows[0].s).toBeNull()
    expect(() => helpersSql({ schema: 'auth; drop' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
    expect(() => helpersSql({ schema: 'Auth' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    expect(() => helpersSql({ schema: 'pg_claims' })).toThrow(/reserved/)
  })

  it('is evaluated once per statement when wrapped as (select …): an InitPlan', async () => {
    const admin = new pg.Client({ connectionString: database.adminUrl })
    await admin.connect()
    try {
      await admin.query(`create table if not exists items (owner text);
        insert into items select 'u' || (g % 10) from generate_series(1, 1000) g;
        alter table items enable row level security;
        create policy items_owner on items to authenticated using (owner = (select auth.user_id()));
        grant select on items to authenticated`)
    } finally {
      await admin.end()
    }
    const scope = claimsPool(pool, claims).withClaims(await signToken({ sub: 'u3', role: 'authenticated' }))
    const plan = (await scope.query('explain (costs off) select count(*) from items')).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n')
    expect(plan).toMatch(/InitPlan/)
    expect((await scope.query('select count(*)::int as n from items')).rows[0]!.n).toBe(100)
  })
})
