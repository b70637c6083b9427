import { PgClaimsError } from '@pg-claims/core'
import { quoteLiteral } from '@pg-claims/core/adapter'
import { type SQL, sql } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { claimSql } from './claim-sql.js'

/**
 * Where the SQL helpers are, for the policy checks.
 *
 * @example
 * ```ts
 * const options: CheckOptions = { schema: 'claims' } // on Supabase, where `auth` is taken
 * ```
 */
export interface CheckOptions {
  /** The helpers' schema. Default `auth`. */
  readonly schema?: string
}

/**
 * The owner check for `pgPolicy`: `(select auth.user_id()) = <column>` (the caller's `sub`, read
 * once per statement). With `{ as: 'uuid' }` it compares `(select auth.uid())`, for uuid columns.
 *
 * @example
 * ```ts
 * pgPolicy('own_posts', { for: 'all', to: authenticatedRole, using: ownerCheck(t.authorId), withCheck: ownerCheck(t.authorId) })
 * ```
 */
export function ownerCheck(
  column: AnyPgColumn | SQL,
  options: CheckOptions & { readonly as?: 'text' | 'uuid' } = {},
): SQL<boolean> {
  const claims = claimSql({}, options)
  return sql<boolean>`${options.as === 'uuid' ? claims.uid() : claims.userId()} = ${column}`
}

/**
 * The role check for `pgPolicy`: the token's `role` claim, `(select auth.role())`, is one of
 * `roles`. Role names are SQL literals (core's `quoteLiteral`), never bind parameters, so
 * drizzle-kit writes them into the migration as they are.
 *
 * @example
 * ```ts
 * pgPolicy('admins_delete', { for: 'delete', to: authenticatedRole, using: roleCheck(['admin', 'owner']) })
 * ```
 */
export function roleCheck(roles: string | readonly string[], options: CheckOptions = {}): SQL<boolean> {
  const list = typeof roles === 'string' ? [roles] : roles
  if (list.length === 0) throw new PgClaimsError('CONFIG_INVALID', 'roleCheck needs at least one role')
  return sql<boolean>`${claimSql({}, options).role()} in (${sql.raw(list.map(quoteLiteral).join(', '))})`
}
