import {
  type ClaimDeclarations,
  claimExpressions,
  type SqlExpression,
  type TypeOfSqlType,
} from '@pg-claims/core'
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
export interface ClaimSql<D extends ClaimDeclarations> {
  /** A declared claim, cast to its declared type; NULL when the claim is absent. */
  claim<K extends keyof D & string>(name: K): RawBuilder<TypeOfSqlType<D[K]> | null>
  /** `auth.user_id()`: `sub` when it is a string. */
  userId(): RawBuilder<string | null>
  /** `auth.uid()`: `sub` as a uuid. */
  uid(): RawBuilder<string | null>
  /** `auth.role()`: the role claim. */
  role(): RawBuilder<string | null>
  /** `auth.email()`: the email claim. */
  email(): RawBuilder<string | null>
  /** `auth.session()`: every claim, as jsonb (JSON null when there are none). */
  session(): RawBuilder<unknown>
  /** `auth.organization_id()`: `o.id` as a uuid. */
  organizationId(): RawBuilder<string | null>
  /** The schema the helpers are in. */
  readonly schema: string
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
  const expressions = claimExpressions(declarations, options)
  return {
    schema: expressions.schema,
    claim: (name) => raw(expressions.claim(name)),
    userId: () => raw(expressions.userId()),
    uid: () => raw(expressions.uid()),
    role: () => raw(expressions.role()),
    email: () => raw(expressions.email()),
    session: () => raw(expressions.session()),
    organizationId: () => raw(expressions.organizationId()),
  }
}

function raw<T>(expression: SqlExpression<T>): RawBuilder<T> {
  return sql.raw<T>(expression.sql)
}
