import { claimExpressions, createClaims, type SqlExpression } from '@pg-claims/core'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'

describe('claim expression types', () => {
  const claimSql = claimExpressions({ org_id: 'integer', tenant: 'uuid', admin: 'boolean', prefs: 'jsonb' })

  it('gives each declared claim the TypeScript type of its SQL type, nullable', () => {
    expectTypeOf(claimSql.claim('org_id')).toEqualTypeOf<SqlExpression<number | null>>()
    expectTypeOf(claimSql.claim('tenant')).toEqualTypeOf<SqlExpression<string | null>>()
    expectTypeOf(claimSql.claim('admin')).toEqualTypeOf<SqlExpression<boolean | null>>()
    expectTypeOf(claimSql.claim('prefs')).toEqualTypeOf<SqlExpression<unknown>>()
    expectTypeOf(claimSql.userId()).toEqualTypeOf<SqlExpression<string | null>>()
  })

  it('refuses undeclared claim names at compile time', () => {
    // @ts-expect-error: 'missing' is not declared
    claimSql.claim('missing')
  })
})

describe('claims types from a Standard Schema', () => {
  it('types context.claims as the schema output', async () => {
    const claims = createClaims({
      secret: 'x'.repeat(32),
      schema: z.object({ sub: z.string(), org_id: z.number() }),
    })
    const context = await claims.resolve('token')
    expectTypeOf(context.claims).toEqualTypeOf<{ sub: string; org_id: number } | null>()
    expectTypeOf(claims.resolveVerified).parameter(0).toEqualTypeOf<{ sub: string; org_id: number }>()
  })
})
