import { PgClaimsError } from '../errors.js'
import { op } from '../sql/helpers.js'
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
 * How an adapter wraps a claim expression: its `wrapped` type, written in terms of `this['value']`
 * (the expression's TypeScript type). This lets core declare the claim accessors once for every
 * adapter's SQL builder type.
 *
 * @example
 * ```ts
 * import type { RawBuilder } from 'kysely'
 * interface KyselyWrap extends SqlWrap { readonly wrapped: RawBuilder<this['value']> }
 * type KyselyClaimSql<D extends ClaimDeclarations> = ClaimAccessors<D, KyselyWrap>
 * ```
 */
export interface SqlWrap {
  readonly value: unknown
  readonly wrapped: unknown
}

/**
 * The adapter's type for an expression of TypeScript type `T`.
 *
 * @example
 * ```ts
 * type OrgId = Wrapped<ExpressionWrap, number | null> // SqlExpression<number | null>
 * ```
 */
export type Wrapped<W extends SqlWrap, T> = (W & { readonly value: T })['wrapped']

/**
 * Typed accessors reading the claims through the SQL helpers, each wrapped as `(select …)` so
 * PostgreSQL evaluates it once per statement (an InitPlan), not once per row. `W` says what an
 * adapter turns each expression into (Kysely `RawBuilder<T>`, Drizzle `SQL<T>`).
 *
 * @example
 * ```ts
 * const claimSql: ClaimAccessors<{ org_id: 'integer' }, ExpressionWrap> = claimExpressions({ org_id: 'integer' })
 * ```
 */
export interface ClaimAccessors<D extends ClaimDeclarations, W extends SqlWrap> {
  /** A declared claim, cast to its declared type; NULL when the claim is absent. */
  claim<K extends keyof D & string>(name: K): Wrapped<W, TypeOfSqlType<D[K]> | null>
  /** `auth.user_id()`: `sub` when it is a string. */
  userId(): Wrapped<W, string | null>
  /** `auth.uid()`: `sub` as a uuid. */
  uid(): Wrapped<W, string | null>
  /** `auth.role()`: the role claim. */
  role(): Wrapped<W, string | null>
  /** `auth.email()`: the email claim. */
  email(): Wrapped<W, string | null>
  /** `auth.session()`: every claim, as jsonb (JSON null when there are none). */
  session(): Wrapped<W, unknown>
  /** `auth.organization_id()`: `o.id` as a uuid. */
  organizationId(): Wrapped<W, string | null>
  /** The schema the helpers are in. */
  readonly schema: string
}

/**
 * Core's own wrapping: the expression as SQL text ({@link SqlExpression}).
 *
 * @example
 * ```ts
 * type Text = Wrapped<ExpressionWrap, string> // SqlExpression<string>
 * ```
 */
export interface ExpressionWrap extends SqlWrap {
  readonly wrapped: SqlExpression<this['value']>
}

/**
 * The claim accessors as SQL text, for adapters to wrap and for hand-written policy SQL.
 *
 * @example
 * ```ts
 * const claimSql: ClaimExpressions<{ org_id: 'integer' }> = claimExpressions({ org_id: 'integer' })
 * claimSql.claim('org_id').sql // "(select auth.claim('org_id')::pg_catalog.int4)"
 * ```
 */
export type ClaimExpressions<D extends ClaimDeclarations> = ClaimAccessors<D, ExpressionWrap>

/**
 * Builds claim accessors whose every expression goes through `wrap`: how each adapter turns core's
 * expressions into its own SQL builder, with one definition of the accessors for all of them.
 *
 * @example
 * ```ts
 * import { sql, type RawBuilder } from 'kysely'
 * interface KyselyWrap extends SqlWrap { readonly wrapped: RawBuilder<this['value']> }
 * const claimSql = mapClaimExpressions<{ org_id: 'integer' }, KyselyWrap>(
 *   { org_id: 'integer' }, {}, (expression) => sql.raw(expression.sql),
 * )
 * ```
 */
export function mapClaimExpressions<const D extends ClaimDeclarations, W extends SqlWrap>(
  declarations: D,
  options: { readonly schema?: string },
  wrap: <T>(expression: SqlExpression<T>) => Wrapped<W, T>,
): ClaimAccessors<D, W> {
  const expressions = claimExpressions(declarations, options)
  return {
    schema: expressions.schema,
    claim: (name) => wrap(expressions.claim(name)),
    userId: () => wrap(expressions.userId()),
    uid: () => wrap(expressions.uid()),
    role: () => wrap(expressions.role()),
    email: () => wrap(expressions.email()),
    session: () => wrap(expressions.session()),
    organizationId: () => wrap(expressions.organizationId()),
  }
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
      if (type === 'jsonb') return { sql: `(select ${schema}.session() ${op('->')} ${quoteLiteral(name)})` }
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
