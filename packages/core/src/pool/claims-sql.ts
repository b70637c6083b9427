import type postgres from 'postgres'
import type { Claims } from '../claims.js'
import { type PostgresJsSql, usingPostgresJsConnection } from '../drivers/postgres-js.js'
import type { CallOptions } from '../serialize/call-context.js'
import type { ClaimsContext } from '../serialize/context.js'
import { CallerScope } from '../session/caller-scope.js'
import { runClaimsStatement, runClaimsTransaction } from '../session/claims-transaction.js'
import type { TransactionOptions } from '../session/transaction-options.js'

/**
 * The `sql` a claims transaction's callback is given: postgres.js's `sql` on the transaction's
 * connection, with `savepoint` as in `sql.begin`.
 *
 * @example
 * ```ts
 * await scope.transaction(async (sql: ClaimsTransactionSql) => sql.savepoint((inner) => inner`select 1`))
 * ```
 */
export type ClaimsTransactionSql<TTypes extends Record<string, unknown> = Record<string, never>> =
  postgres.Sql<TTypes> & Pick<postgres.TransactionSql<TTypes>, 'savepoint'>

/**
 * A postgres.js `sql` that runs transactions and queries under verified claims.
 *
 * @example
 * ```ts
 * const db = claimsSql(postgres(url, { prepare: false }), claims)
 * const notes = await db.withClaims(token).query((sql) => sql`select * from notes`)
 * ```
 */
export interface ClaimsSql<TClaims, TTypes extends Record<string, unknown> = Record<string, never>> {
  /**
   * The caller holding `token`, or the anonymous caller for `null`. The token is verified (through
   * the cache) before every transaction and every query, before a connection is reserved.
   */
  withClaims(token: string | null, call?: CallOptions): ClaimsSqlScope<TClaims, TTypes>
  /**
   * A caller whose claims your own auth layer already verified; checked and copied now (throws
   * `CLAIM_INVALID` or `VALUE_NOT_STORABLE` here). Never pass client input here.
   */
  withVerifiedClaims(claims: TClaims, call?: CallOptions): ClaimsSqlScope<TClaims, TTypes>
  /** The `sql` itself, for work that runs without claims (migrations, admin jobs). */
  readonly sql: postgres.Sql<TTypes>
}

/**
 * One caller's transactions and queries on postgres.js.
 *
 * @example
 * ```ts
 * const scope = db.withClaims(token)
 * await scope.transaction(async (sql) => sql`insert into notes ${sql({ body: 'hi' })}`)
 * const [me] = await scope.query((sql) => sql`select auth.user_id() as id`)
 * ```
 */
export interface ClaimsSqlScope<TClaims, TTypes extends Record<string, unknown> = Record<string, never>> {
  /**
   * Runs `fn` in a transaction carrying the claims, on one reserved connection: commits when it
   * resolves, rolls back and rethrows when it throws. `BEGIN`, the settings and `fn`'s first
   * query leave in one flight. The `sql` it is given works only inside `fn`: afterwards every
   * query rejects with `TRANSACTION_ENDED`; its `release()` throws `RELEASE_REFUSED`.
   */
  transaction<T>(
    fn: (sql: ClaimsTransactionSql<TTypes>, context: ClaimsContext<TClaims>) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>
  /**
   * Runs the ONE query `build` makes (`(sql) => sql\`…\``, or `sql.unsafe(text, values)`) in a
   * claims transaction of its own: `BEGIN`, the settings, the query and `COMMIT` leave in one
   * flight when postgres.js sends the query without describing it first (a prepared statement it
   * has seen, or a query without parameters).
   */
  query<T extends readonly postgres.MaybeRow[]>(
    build: (sql: postgres.Sql<TTypes>) => postgres.PendingQuery<T>,
  ): Promise<postgres.RowList<T>>
  /** The verified claims, role and settings of this caller, resolved now. */
  context(): Promise<ClaimsContext<TClaims>>
}

/**
 * Wraps a postgres.js `sql` (`postgres` >= 3.4) so each transaction and query carries one caller's
 * verified claims as transaction-local settings. Works with `prepare: false` (Supabase's and other
 * transaction poolers): the settings travel as literals in a simple-protocol message, never as a
 * prepared statement.
 *
 * @example
 * ```ts
 * import postgres from 'postgres'
 * import { claimsSql, createClaims } from '@pg-claims/core'
 *
 * const claims = createClaims({ secret: process.env.JWT_SECRET!, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } })
 * const db = claimsSql(postgres(process.env.DATABASE_URL!, { prepare: false }), claims)
 * const notes = await db.withClaims(token).transaction(async (sql) => sql`select * from notes`)
 * ```
 */
export function claimsSql<TClaims, TTypes extends Record<string, unknown> = Record<string, never>>(
  sql: postgres.Sql<TTypes>,
  claims: Claims<TClaims>,
): ClaimsSql<TClaims, TTypes> {
  const reservable = sql as unknown as PostgresJsSql
  return {
    sql,
    withClaims: (token, call) =>
      new PostgresJsClaimsScope(reservable, CallerScope.forToken(claims, token, call)),
    withVerifiedClaims: (verified, call) =>
      new PostgresJsClaimsScope(reservable, CallerScope.forVerifiedClaims(claims, verified, call)),
  }
}

/** {@link ClaimsSqlScope}: resolve the caller, then reserve a connection, then run. */
class PostgresJsClaimsScope<TClaims, TTypes extends Record<string, unknown>>
  implements ClaimsSqlScope<TClaims, TTypes>
{
  readonly #sql: PostgresJsSql
  readonly #caller: CallerScope<TClaims>

  constructor(sql: PostgresJsSql, caller: CallerScope<TClaims>) {
    this.#sql = sql
    this.#caller = caller
  }

  async transaction<T>(
    fn: (sql: ClaimsTransactionSql<TTypes>, context: ClaimsContext<TClaims>) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    const context = await this.#caller.context()
    return usingPostgresJsConnection(this.#sql, (connection) =>
      runClaimsTransaction(connection, context, options, (lease) =>
        fn(connection.lend<TTypes>(lease), context),
      ),
    )
  }

  async query<T extends readonly postgres.MaybeRow[]>(
    build: (sql: postgres.Sql<TTypes>) => postgres.PendingQuery<T>,
  ): Promise<postgres.RowList<T>> {
    const context = await this.#caller.context()
    return usingPostgresJsConnection(this.#sql, (connection) =>
      runClaimsStatement(connection, context, async (lease) => await build(connection.lend<TTypes>(lease))),
    )
  }

  context(): Promise<ClaimsContext<TClaims>> {
    return this.#caller.context()
  }
}
