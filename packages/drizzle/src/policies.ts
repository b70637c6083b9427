import { is, type SQL, sql } from 'drizzle-orm'
import { type PgPolicy, type PgPolicyToOption, PgRole, pgPolicy, pgRole } from 'drizzle-orm/pg-core'

/**
 * The `authenticated` role pg-claims switches signed-in callers to, as an existing role
 * drizzle-kit leaves alone.
 *
 * @example
 * ```ts
 * pgPolicy('own_posts', { to: authenticatedRole, using: ownerCheck(t.authorId) })
 * ```
 */
export const authenticatedRole: PgRole = pgRole('authenticated').existing()

/**
 * The `anon` role pg-claims switches anonymous callers to (`roles.default`), as an existing role.
 *
 * @example
 * ```ts
 * pgPolicy('public_read', { for: 'select', to: anonRole, using: sql`published` })
 * ```
 */
export const anonRole: PgRole = pgRole('anon').existing()

/**
 * Options of {@link crudPolicy}; the same as drizzle-orm/neon's.
 *
 * @example
 * ```ts
 * const options: CrudPolicyOptions = { role: authenticatedRole, read: true, modify: ownerCheck(t.authorId) }
 * ```
 */
export interface CrudPolicyOptions {
  /** The roles the policies apply to. */
  readonly role: PgPolicyToOption
  /** Who may read: `true`, `false`, a check such as `ownerCheck(t.authorId)`, or `null` for no select policy. */
  readonly read: SQL | boolean | null
  /** Who may insert, update and delete: as `read`; `null` for none of those policies. */
  readonly modify: SQL | boolean | null
}

/**
 * A set of RLS policies for CRUD, like drizzle-orm/neon's `crudPolicy`, meant for checks written
 * against the pg-claims helpers (`ownerCheck`, `roleCheck`, `claimSql`), which read the claims
 * wrapped as `(select …)`. Gives policies named `crud-<roles>-policy-<select|insert|update|delete>`.
 *
 * @example
 * ```ts
 * export const posts = pgTable('posts', { id: serial().primaryKey(), authorId: text().notNull() }, (t) => [
 *   ...crudPolicy({ role: authenticatedRole, read: true, modify: ownerCheck(t.authorId) }),
 * ])
 * ```
 */
export function crudPolicy(options: CrudPolicyOptions): PgPolicy[] {
  const read = condition(options.read)
  const modify = condition(options.modify)
  const prefix = `crud-${roleNames(options.role)}-policy`
  const to = options.role
  return [
    ...(read === undefined ? [] : [pgPolicy(`${prefix}-select`, { for: 'select', to, using: read })]),
    ...(modify === undefined
      ? []
      : [
          pgPolicy(`${prefix}-insert`, { for: 'insert', to, withCheck: modify }),
          pgPolicy(`${prefix}-update`, { for: 'update', to, using: modify, withCheck: modify }),
          pgPolicy(`${prefix}-delete`, { for: 'delete', to, using: modify }),
        ]),
  ]
}

function condition(value: SQL | boolean | null): SQL | undefined {
  if (value === null) return undefined
  if (typeof value === 'boolean') return value ? sql`true` : sql`false`
  return value
}

function roleNames(role: PgPolicyToOption): string {
  if (Array.isArray(role)) return role.map(roleNames).join('-')
  return is(role, PgRole) ? role.name : role
}
