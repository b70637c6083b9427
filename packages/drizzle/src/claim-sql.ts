import type { ClaimAccessors, ClaimDeclarations } from '@pg-claims/core'
import { mapClaimExpressions, type SqlWrap } from '@pg-claims/core/adapter'
import { type SQL, sql } from 'drizzle-orm'

/**
 * Core's typed claim expressions as Drizzle `SQL<T>`: usable in `select`, `where`, `values`,
 * `set`, and in `pgPolicy` `using` / `withCheck`. Each reads the claims through the SQL helpers,
 * wrapped as `(select …)` so PostgreSQL evaluates it once per statement.
 *
 * @example
 * ```ts
 * const claims = claimSql({ org_id: 'integer' })
 * await db.withClaims(token).select().from(projects).where(eq(projects.orgId, claims.claim('org_id')))
 * ```
 */
export type ClaimSql<D extends ClaimDeclarations> = ClaimAccessors<D, DrizzleWrap>

/**
 * Drizzle's wrapping of a claim expression: an `SQL` of its type.
 *
 * @example
 * ```ts
 * type OrgId = Wrapped<DrizzleWrap, number | null> // SQL<number | null>
 * ```
 */
export interface DrizzleWrap extends SqlWrap {
  readonly wrapped: SQL<this['value']>
}

/**
 * Builds typed claim SQL for Drizzle from claim declarations (core's `claimExpressions`) and the
 * helpers' schema (default `auth`).
 *
 * @example
 * ```ts
 * import { claimSql } from '@pg-claims/drizzle'
 * const claims = claimSql({ org_id: 'integer', admin: 'boolean' })
 * const [me] = await db.withClaims(token).select({ id: claims.userId(), org: claims.claim('org_id') }).from(sql`(select 1) as one`)
 * // me: { id: string | null; org: number | null }
 * ```
 */
export function claimSql<const D extends ClaimDeclarations>(
  declarations: D,
  options: { readonly schema?: string } = {},
): ClaimSql<D> {
  return mapClaimExpressions<D, DrizzleWrap>(
    declarations,
    options,
    (expression) => sql`${sql.raw(expression.sql)}`,
  )
}
