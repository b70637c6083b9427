import { installHelpers } from '@pg-claims/core'
import { ClaimsKysely, claimSql } from '@pg-claims/kysely'
import { createTestDatabase, type TestDatabase } from '@pg-claims/testing'
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testClaims, tokenFor } from './fixture.js'

interface Database {
  projects: { id: Generated<number>; org_id: number; name: string; owner: Generated<string | null> }
}

const auth = claimSql({ org_id: 'integer', admin: 'boolean', tenant: 'uuid', prefs: 'jsonb' })

describe('claimSql', () => {
  let database: TestDatabase
  let db: ClaimsKysely<Database>

  beforeAll(async () => {
    database = await createTestDatabase({ setup: (admin) => installHelpers(admin) })
    const admin = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.adminUrl, max: 1 }) }),
    })
    try {
      await sql`
        create table projects (id serial primary key, org_id int not null, name text not null,
          owner text default auth.user_id());
        alter table projects enable row level security;
        grant select, insert on projects to authenticated;
        grant usage on sequence projects_id_seq to authenticated;
        create policy same_org on projects to authenticated
          using (org_id = ${auth.claim('org_id')}) with check (org_id = ${auth.claim('org_id')});
        insert into projects (org_id, name) values (1, 'apollo'), (1, 'gemini'), (2, 'vostok');
      `.execute(admin)
    } finally {
      await admin.destroy()
    }
    db = new ClaimsKysely<Database>({
      pool: new pg.Pool({ connectionString: database.url, max: 2 }),
      claims: testClaims(),
    })
  })
  afterAll(async () => {
    await db?.destroy()
    await database?.drop()
  })

  it('emits each accessor as a (select …) over the helpers', () => {
    const text = (builder: { compile(db: Kysely<Database>): { sql: string } }) => builder.compile(db).sql
    expect(
      [auth.claim('org_id'), auth.claim('prefs'), auth.userId(), auth.organizationId()].map(text),
    ).toEqual([
      "(select auth.claim('org_id')::pg_catalog.int4)",
      "(select auth.session() OPERATOR(pg_catalog.->) 'prefs')",
      '(select auth.user_id())',
      '(select auth.organization_id())',
    ])
    expect(text(claimSql({}, { schema: 'claims' }).uid())).toBe('(select claims.uid())')
  })

  it('reads typed claims in select, and lets policies written with them enforce RLS', async () => {
    const tenant = '6f1c1b3e-8a51-4d2a-9a3e-0d6b1f2c3a4b'
    const scope = db.withClaims(
      await tokenFor('alice', {
        org_id: 1,
        admin: true,
        tenant,
        email: 'a@example.com',
        prefs: { dark: true },
      }),
    )
    const rows = await scope
      .selectFrom('projects')
      .select([
        'name',
        auth.claim('org_id').as('org'),
        auth.claim('admin').as('admin'),
        auth.claim('tenant').as('tenant'),
        auth.claim('prefs').as('prefs'),
        auth.userId().as('me'),
        auth.role().as('role'),
        auth.email().as('email'),
      ])
      .orderBy('name')
      .execute()
    const common = { org: 1, admin: true, tenant, prefs: { dark: true }, me: 'alice', role: 'authenticated' }
    expect(rows).toEqual([
      { name: 'apollo', ...common, email: 'a@example.com' },
      { name: 'gemini', ...common, email: 'a@example.com' },
    ])
  })

  it('filters in where, and writes defaults and checks from the claims', async () => {
    const bob = db.withClaims(await tokenFor('bob', { org_id: 2 }))
    await bob.insertInto('projects').values({ org_id: 2, name: 'voskhod' }).execute()
    const refused = await bob
      .insertInto('projects')
      .values({ org_id: 1, name: 'not mine' })
      .execute()
      .catch((error: unknown) => error)
    const mine = await bob
      .selectFrom('projects')
      .select(['name', 'owner'])
      .where(({ eb, ref }) => eb(ref('owner'), '=', auth.userId()))
      .execute()
    expect({ refused, mine }).toEqual({
      refused: expect.objectContaining({ code: '42501' }),
      mine: [{ name: 'voskhod', owner: 'bob' }],
    })
  })

  it('reads NULL for absent claims and for the anonymous caller', async () => {
    const anonymous = await db
      .withClaims(null)
      .selectNoFrom([auth.claim('org_id').as('org'), auth.userId().as('me'), auth.session().as('session')])
      .execute()
    expect(anonymous).toEqual([{ org: null, me: null, session: { role: 'anon' } }])
  })

  it('refuses an undeclared claim at run time too', () => {
    const loose: { claim(name: string): unknown } = auth
    expect(() => loose.claim('missing')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })
})
