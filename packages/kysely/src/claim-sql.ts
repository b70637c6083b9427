import type { ClaimAccessors, ClaimDeclarations } from '@pg-claims/core'
import { mapClaimExpressions, type SqlWrap } from '@pg-claims/core/adapter'
import { type RawBuilder, sql } from 'kysely'

/**
 * Typed Kysely expressions reading the caller's claims through the SQL helpers, with the same
 * names as core's `ClaimExpressions`. Each is emitted as `(select …)`, so PostgreSQL evaluates it
 * once per statement; use them in `select`, `where`, and in policy SQL written with Kysely's `sql`.
 *
 * @example
 * ```ts
 * const auth = claimSql({ org_id: 'integer' })
 * await db.withClaims(token).selectFrom('projects').select(['name', auth.userId().as('me')])
 *   .where(({ eb, ref }) => eb(ref('org_id'), '=', auth.claim('org_id'))).execute()
 * ```
 */
export type ClaimSql<D extends ClaimDeclarations> = ClaimAccessors<D, KyselyWrap>

/**
 * Kysely's wrapping of a claim expression: a `RawBuilder` of its type.
 *
 * @example
 * ```ts
 * type OrgId = Wrapped<KyselyWrap, number | null> // RawBuilder<number | null>
 * ```
 */
export interface KyselyWrap extends SqlWrap {
  readonly wrapped: RawBuilder<this['value']>
}

/**
 * Builds {@link ClaimSql} from claim declarations and the helpers' schema (default `auth`), on
 * core's `claimExpressions`. An undeclared claim name is a type error, and `CONFIG_INVALID` at run time.
 *
 * @example
 * ```ts
 * import { claimSql } from '@pg-claims/kysely'
 *
 * const auth = claimSql({ org_id: 'integer', admin: 'boolean' })
 * auth.claim('org_id') // RawBuilder<number | null>: (select auth.claim('org_id')::pg_catalog.int4)
 * await sql`create policy same_org on projects using (org_id = ${auth.claim('org_id')})`.execute(db)
 * ```
 */
export function claimSql<const D extends ClaimDeclarations>(
  declarations: D,
  options: { readonly schema?: string } = {},
): ClaimSql<D> {
  return mapClaimExpressions<D, KyselyWrap>(declarations, options, (expression) => sql.raw(expression.sql))
}
