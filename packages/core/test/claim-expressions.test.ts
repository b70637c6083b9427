import { claimExpressions, claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const claimSql = claimExpressions({
  org_id: 'integer',
  tenant: 'uuid',
  admin: 'boolean',
  big: 'bigint',
  price: 'numeric',
  name: 'text',
  prefs: 'jsonb',
  "it's": 'text',
})

let database: TestDatabase
let pool: pg.Pool
beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(`create table docs (id int, org_id int not null);
        insert into docs values (1, 7), (2, 7), (3, 8);
        alter table docs enable row level security;
        grant select on docs to authenticated;
        create policy docs_org on docs to authenticated using (org_id = ${claimSql.claim('org_id').sql})`)
    },
  })
  pool = new pg.Pool({ connectionString: database.url })
})
afterAll(async () => {
  await pool.end()
  await database.drop()
})

describe('claimExpressions', () => {
  it('wraps every expression as (select …) and escapes claim names through quoteLiteral', () => {
    expect(claimSql.claim('org_id').sql).toBe("(select auth.claim('org_id')::pg_catalog.int4)")
    expect(claimSql.claim("it's").sql).toBe("(select auth.claim('it''s'))")
    expect(claimSql.claim('prefs').sql).toBe("(select auth.session() OPERATOR(pg_catalog.->) 'prefs')")
    expect(claimSql.userId().sql).toBe('(select auth.user_id())')
    expect(claimExpressions({}, { schema: 'app_auth' }).uid().sql).toBe('(select app_auth.uid())')
  })

  it('refuses a claim that was not declared', () => {
    expect(() => claimSql.claim('nope' as 'org_id')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })

  it('reads each declared claim with its SQL type from a real transaction', async () => {
    const db = claimsPool(pool, createClaims({ secret: TEST_SECRET, roles: { allowed: ['authenticated'] } }))
    const token = await signToken({
      role: 'authenticated',
      sub: 'u1',
      org_id: 7,
      tenant: '3f8c2a9e-5b1d-4c7a-9e2f-1a2b3c4d5e6f',
      admin: true,
      big: 9007199254740993n.toString(),
      price: 12.5,
      name: 'Ada',
      prefs: { theme: 'dark' },
      "it's": 'quoted',
    })
    const names = ['org_id', 'tenant', 'admin', 'big', 'price', 'name', 'prefs', "it's"] as const
    const select = names.map((name, index) => `${claimSql.claim(name).sql} as c${index}`).join(', ')
    const row = (await db.withClaims(token).query(`select ${select}, ${claimSql.userId().sql} as uid`))
      .rows[0]
    expect(row).toEqual({
      c0: 7,
      c1: '3f8c2a9e-5b1d-4c7a-9e2f-1a2b3c4d5e6f',
      c2: true,
      c3: '9007199254740993',
      c4: '12.5',
      c5: 'Ada',
      c6: { theme: 'dark' },
      c7: 'quoted',
      uid: 'u1',
    })
    const visible = await db.withClaims(token).query('select id from docs order by id')
    expect(visible.rows.map((r) => r.id)).toEqual([1, 2])
  })
})
