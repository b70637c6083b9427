import { claimSql } from '@pg-claims/kysely'
import type { Kysely, RawBuilder } from 'kysely'
import { describe, expectTypeOf, it } from 'vitest'

interface Database {
  projects: { id: number; org_id: number | null; name: string }
}

describe('claimSql types', () => {
  const auth = claimSql({
    org_id: 'integer',
    tenant: 'uuid',
    admin: 'boolean',
    big: 'bigint',
    prefs: 'jsonb',
  })

  it('types each declared claim as its SQL type, nullable', () => {
    expectTypeOf(auth.claim('org_id')).toEqualTypeOf<RawBuilder<number | null>>()
    expectTypeOf(auth.claim('tenant')).toEqualTypeOf<RawBuilder<string | null>>()
    expectTypeOf(auth.claim('admin')).toEqualTypeOf<RawBuilder<boolean | null>>()
    expectTypeOf(auth.claim('big')).toEqualTypeOf<RawBuilder<string | null>>()
    expectTypeOf(auth.claim('prefs')).toEqualTypeOf<RawBuilder<unknown>>()
  })

  it('types the helper accessors with the names of core', () => {
    expectTypeOf(auth.userId()).toEqualTypeOf<RawBuilder<string | null>>()
    expectTypeOf(auth.uid()).toEqualTypeOf<RawBuilder<string | null>>()
    expectTypeOf(auth.role()).toEqualTypeOf<RawBuilder<string | null>>()
    expectTypeOf(auth.email()).toEqualTypeOf<RawBuilder<string | null>>()
    expectTypeOf(auth.organizationId()).toEqualTypeOf<RawBuilder<string | null>>()
    expectTypeOf(auth.session()).toEqualTypeOf<RawBuilder<unknown>>()
  })

  it('refuses undeclared claim names', () => {
    // @ts-expect-error: 'missing' is not declared
    auth.claim('missing')
  })

  it('types selected claims and accepts them in where', async () => {
    const db = {} as Kysely<Database>
    const query = db
      .selectFrom('projects')
      .select(['name', auth.claim('org_id').as('org'), auth.userId().as('me')])
      .where('org_id', '=', auth.claim('org_id'))
    expectTypeOf<Awaited<ReturnType<typeof query.execute>>>().toEqualTypeOf<
      { name: string; org: number | null; me: string | null }[]
    >()
  })
})

describe('claimSql in where on a non-null column', () => {
  const auth = claimSql({ org_id: 'integer' })

  it('compares with the column in where, directly or through eb', () => {
    const db = {} as Kysely<{ projects: { org_id: number } }>
    const direct = db.selectFrom('projects').select('org_id').where('org_id', '=', auth.claim('org_id'))
    const built = db
      .selectFrom('projects')
      .select('org_id')
      .where(({ eb, ref }) => eb(ref('org_id'), '=', auth.claim('org_id')))
    expectTypeOf(direct.execute).toEqualTypeOf(built.execute)
  })

  it('does not compare a number claim with a text column', () => {
    const db = {} as Kysely<{ projects: { name: string } }>
    // @ts-expect-error: number | null is not a string
    db.selectFrom('projects').where('name', '=', auth.claim('org_id'))
  })
})
