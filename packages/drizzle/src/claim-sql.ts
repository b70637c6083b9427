import {
  type ClaimDeclarations,
  claimExpressions,
  type SqlExpression,
  type TypeOfSqlType,
} from '@pg-claims/core'
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
export interface ClaimSql<D extends ClaimDeclarations> {
  /** A declared claim, cast to its declared type; NULL when absent. */
  claim<K extends keyof D & string>(name: K): SQL<TypeOfSqlType<D[K]> | null>
  /** `auth.user_id()`: `sub` when it is a string. */
  userId(): SQL<string | null>
  /** `auth.uid()`: `sub` as a uuid. */
  uid(): SQL<string | null>
  /** `auth.role()`: the `role` claim. */
  role(): SQL<string | null>
  /** `auth.email()`: the `email` claim. */
  email(): SQL<string | null>
  /** `auth.session()`: every claim as jsonb (JSON null when there are none). */
  session(): SQL<unknown>
  /** `auth.organization_id()`: `o.id` as a uuid. */
  organizationId(): SQL<string | null>
  /** The schema the helpers are in. */
  readonly schema: string
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
  const expressions = claimExpressions(declarations, options)
  return {
    schema: expressions.schema,
    claim: (name) => toSql(expressions.claim(name)),
    userId: () => toSql(expressions.userId()),
    uid: () => toSql(expressions.uid()),
    role: () => toSql(expressions.role()),
    email: () => toSql(expressions.email()),
    session: () => toSql(expressions.session()),
    organizationId: () => toSql(expressions.organizationId()),
  }
}

function toSql<T>(expression: SqlExpression<T>): SQL<T> {
  return sql<T>`${sql.raw(expression.sql)}`
}
