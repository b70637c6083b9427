import { randomBytes } from 'node:crypto'
import { claimExpressions, claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import {
  createTestDatabase,
  signToken,
  TEST_SECRET,
  type TestDatabase,
  withCredentials,
} from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let pool: pg.Pool
const squatter = `pgc_squatter_${randomBytes(4).toString('hex')}`
const password = randomBytes(12).toString('hex')
const claims = createClaims({ secret: TEST_SECRET })

async function asAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.end()
  }
}

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await admin.query(`create role ${squatter} login password '${password}'`)
    },
  })
  await asAdmin((admin) =>
    admin.query(`grant connect, create on database ${pg.escapeIdentifier(database.name)} to ${squatter}`),
  )
  pool = new pg.Pool({ connectionString: database.url, max: 1 })
})

afterAll(async () => {
  await pool.end()
  await asAdmin((admin) => admin.query(`drop owned by ${squatter}; drop role ${squatter}`))
  await database.drop()
})

describe('installing the helpers', () => {
  it('refuses a schema someone else owns (a low-privilege role created it first)', async () => {
    const owner = new pg.Client({ connectionString: withCredentials(database.adminUrl, squatter, password) })
    await owner.connect()
    try {
      await owner.query('create schema auth')
    } finally {
      await owner.end()
    }
    const error = await asAdmin((admin) => installHelpers(admin)).then(
      () => expect.unreachable('installed into a schema the squatter owns'),
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ name: 'PgClaimsError', code: 'CONFIG_INVALID' })
    expect((error as Error).message).toContain(squatter)
    expect((error as Error).message).toContain(`alter schema auth owner to`)
    const { rows } = await asAdmin((admin) =>
      admin.query(`select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'auth'`),
    )
    expect(rows[0]!.n).toBe(0)
  })

  it('installs into a schema the installer owns, and again (idempotent)', async () => {
    await asAdmin(async (admin) => {
      await admin.query('create schema mine')
      await installHelpers(admin, { schema: 'mine' })
      await installHelpers(admin, { schema: 'mine' })
    })
    const { rows } = await claimsPool(pool, claims)
      .withClaims(await signToken({ sub: 'alice' }))
      .query('select mine.user_id() as id')
    expect(rows[0]!.id).toBe('alice')
  })

  it('binds no operator from a hostile search_path, in the install script or the typed expressions', async () => {
    await asAdmin(async (admin) => {
      await admin.query(`create schema evil;
        grant usage on schema evil to public;
        create function evil.text_of(pg_catalog.jsonb, pg_catalog.text) returns pg_catalog.text
          language sql immutable as $$ select 'mallory' $$;
        create function evil.member(pg_catalog.jsonb, pg_catalog.text) returns pg_catalog.jsonb
          language sql immutable as $$ select '"mallory"'::pg_catalog.jsonb $$;
        create function evil.text_of_text(pg_catalog.text, pg_catalog.text) returns pg_catalog.text
          language sql immutable as $$ select 'mallory' $$;
        create function evil.always(pg_catalog.text, pg_catalog.text) returns pg_catalog.bool
          language sql immutable as $$ select true $$;
        create operator evil.->> (leftarg = pg_catalog.jsonb, rightarg = pg_catalog.text, function = evil.text_of);
        create operator evil.-> (leftarg = pg_catalog.jsonb, rightarg = pg_catalog.text, function = evil.member);
        create operator evil.= (leftarg = pg_catalog.text, rightarg = pg_catalog.text, function = evil.always);
        create operator evil.~ (leftarg = pg_catalog.text, rightarg = pg_catalog.text, function = evil.always);
        create operator evil.<> (leftarg = pg_catalog.text, rightarg = pg_catalog.text, function = evil.always);
        create operator evil.|| (leftarg = pg_catalog.text, rightarg = pg_catalog.text, function = evil.text_of_text);
        set search_path = evil, pg_catalog, public`)
      await installHelpers(admin, { schema: 'pinned' })
    })
    // the pool has one connection: the caller's session search_path is the hostile one
    const client = await pool.connect()
    await client.query('set search_path = evil, pg_catalog, public')
    client.release()
    try {
      const prefs = claimExpressions({ prefs: 'jsonb' }, { schema: 'pinned' }).claim('prefs').sql
      const { rows } = await claimsPool(pool, claims)
        .withClaims(
          await signToken({ sub: 'not-a-uuid', role: 'r', email: 'a@example.com', o: 'x', prefs: { a: 1 } }),
        )
        .query(`select pinned.user_id() as user_id, pinned.uid() as uid, pinned.role() as role,
          pinned.email() as email, pinned.claim('sub') as claim, pinned.organization() as organization,
          pinned.organization_id() as organization_id, ${prefs} as prefs, current_setting('search_path') as path`)
      expect(rows[0]).toEqual({
        user_id: 'not-a-uuid',
        uid: null,
        role: 'r',
        email: 'a@example.com',
        claim: 'not-a-uuid',
        organization: null,
        organization_id: null,
        prefs: { a: 1 },
        path: 'evil, pg_catalog, public',
      })
      const outside = await pool.query('select pinned.session() as session')
      expect(outside.rows[0].session).toBeNull()
    } finally {
      await pool.query('reset search_path')
    }
  })
})
