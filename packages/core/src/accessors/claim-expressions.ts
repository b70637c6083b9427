import { PgClaimsError } from '../errors.js'
import { quoteLiteral } from '../sql/literal.js'
import { DEFAULT_HELPERS_SCHEMA, helpersSchemaName } from '../sql/schema-name.js'
import { type ClaimSqlType, SQL_CASTS, type TypeOfSqlType } from './claim-types.js'

/**
 * A SQL expression as text, with the TypeScript type of its value. Adapters wrap `sql` in their
 * own raw-SQL builder (Kysely `sql.raw<T>()`, Drizzle `sql.raw()` as `SQL<T>`).
 *
 * @example
 * ```ts
 * const expression: SqlExpression<string | null> = claimSql.userId()
 * expression.sql // '(select auth.user_id())'
 * ```
 */
export interface SqlExpression<T> {
  readonly sql: string
  /** Type only: never set at run time. */
  readonly type?: T
}

/**
 * Declares the claims policies and queries read, each with its SQL type.
 *
 * @example
 * ```ts
 * const declarations: ClaimDeclarations = { org_id: 'integer', tenant: 'uuid', admin: 'boolean' }
 * ```
 */
export type ClaimDeclarations = Readonly<Record<string, ClaimSqlType>>

/**
 * Typed SQL expressions reading the claims through the SQL helpers, each wrapped as `(select …)`
 * so PostgreSQL evaluates it once per statement (an InitPlan), not once per row.
 *
 * @example
 * ```ts
 * const claimSql = claimExpressions({ org_id: 'integer' })
 * claimSql.claim('org_id').sql // "(select auth.claim('org_id')::pg_catalog.int4)"
 * ```
 */
export interface ClaimExpressions<D extends ClaimDeclarations> {
  /** A declared claim, cast to its declared type; NULL when the claim is absent. */
  claim<K extends keyof D & string>(name: K): SqlExpression<TypeOfSqlType<D[K]> | null>
  /** `auth.user_id()`: `sub` when it is a string. */
  userId(): SqlExpression<string | null>
  /** `auth.uid()`: `sub` as a uuid. */
  uid(): SqlExpression<string | null>
  /** `auth.role()`: the role claim. */
  role(): SqlExpression<string | null>
  /** `auth.email()`: the email claim. */
  email(): SqlExpression<string | null>
  /** `auth.session()`: every claim, as jsonb (JSON null when there are none). */
  session(): SqlExpression<unknown>
  /** `auth.organization_id()`: `o.id` as a uuid. */
  organizationId(): SqlExpression<string | null>
  /** The schema the helpers are in. */
  readonly schema: string
}

/**
 * Builds the typed claim expressions every adapter shares, from claim declarations and the
 * helpers' schema. Claim names reach SQL only through the audited `quoteLiteral`.
 *
 * @example
 * ```ts
 * const claimSql = claimExpressions({ org_id: 'integer', admin: 'boolean' }, { schema: 'auth' })
 * claimSql.claim('admin').sql // "(select auth.claim('admin')::pg_catalog.bool)"
 * ```
 */
export function claimExpressions<const D extends ClaimDeclarations>(
  declarations: D,
  options: { readonly schema?: string } = {},
): ClaimExpressions<D> {
  const schema = helpersSchemaName(options.schema ?? DEFAULT_HELPERS_SCHEMA)
  const call = <T>(fn: string): SqlExpression<T> => ({ sql: `(select ${schema}.${fn}())` })
  return {
    schema,
    claim(name) {
      const type: ClaimSqlType | undefined = Object.hasOwn(declarations, name)
        ? declarations[name]
        : undefined
      if (type === undefined) throw new PgClaimsError('CONFIG_INVALID', `The claim "${name}" is not declared`)
      if (type === 'jsonb') return { sql: `(select ${schema}.session() -> ${quoteLiteral(name)})` }
      const read = `${schema}.claim(${quoteLiteral(name)})`
      return { sql: `(select ${type === 'text' ? read : `${read}::${SQL_CASTS[type]}`})` }
    },
    userId: () => call('user_id'),
    uid: () => call('uid'),
    role: () => call('role'),
    email: () => call('email'),
    session: () => call('session'),
    organizationId: () => call('organization_id'),
  }
}
