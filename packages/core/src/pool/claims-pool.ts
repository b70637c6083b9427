import type pg from 'pg'
import type { Claims } from '../claims.js'
import { type PgPool, usingPgConnection } from '../drivers/pg.js'
import type { CallOptions } from '../serialize/call-context.js'
import type { ClaimsContext } from '../serialize/context.js'
import { CallerScope } from '../session/caller-scope.js'
import { runClaimsStatement, runClaimsTransaction } from '../session/claims-transaction.js'
import type { TransactionOptions } from '../session/transaction-options.js'

/**
 * A `pg` Pool (or any pool of its shape, such as Neon's) that runs transactions under verified claims.
 *
 * @example
 * ```ts
 * const db = claimsPool(new pg.Pool({ connectionString, pipeline: true }), claims)
 * const rows = await db.withClaims(token).transaction(async (client) => {
 *   const { rows } = await client.query('select * from posts')
 *   return rows
 * })
 * ```
 */
export interface ClaimsPool<TClaims, TPool extends PgPool = pg.Pool> {
  /**
   * The caller holding `token`, or the anonymous caller for `null`. The token is verified (through
   * the cache) before every transaction and every query, before a connection is taken. `call`
   * adds the request context (`request.*`) and settings of this call.
   */
  withClaims(token: string | null, call?: CallOptions): ClaimsScope<TClaims>
  /**
   * A caller whose claims your own auth layer already verified; checked and copied now (throws
   * `CLAIM_INVALID` or `VALUE_NOT_STORABLE` here). Never pass client input here.
   */
  withVerifiedClaims(claims: TClaims, call?: CallOptions): ClaimsScope<TClaims>
  /** The pool itself, for work that runs without claims (migrations, admin jobs). */
  readonly pool: TPool
}

/**
 * One caller's transactions.
 *
 * @example
 * ```ts
 * const scope = db.withClaims(token)
 * await scope.transaction(async (client) => client.query('insert into posts (title) values ($1)', ['hi']))
 * const { rows } = await scope.query('select auth.user_id() as id')
 * ```
 */
export interface ClaimsScope<TClaims> {
  /**
   * Runs `fn` in a transaction carrying the claims: commits when it resolves, rolls back and
   * rethrows when it throws, and always gives the connection back (destroying it if it broke).
   * `client` works only inside `fn`: afterwards every query rejects with `TRANSACTION_ENDED`, and
   * `client.release()` throws `RELEASE_REFUSED`.
   */
  transaction<T>(
    fn: (client: pg.PoolClient, context: ClaimsContext<TClaims>) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>
  /**
   * Runs one query in its own claims transaction: on a pipelined pool `BEGIN`, the settings, the
   * query and `COMMIT` leave in one network flight.
   */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>
  /** The verified claims, role and settings of this caller, resolved now. */
  context(): Promise<ClaimsContext<TClaims>>
}

/**
 * Wraps a `pg` Pool so each transaction carries one caller's verified claims as transaction-local
 * settings. Create the pool with `pipeline: true` (pg >= 8.23): a claims query then costs one
 * network flight and a claims transaction one flight fewer than a plain one.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { claimsPool, createClaims } from '@pg-claims/core'
 *
 * const claims = createClaims({ secret: process.env.JWT_SECRET!, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } })
 * const db = claimsPool(new pg.Pool({ connectionString: process.env.DATABASE_URL, pipeline: true }), claims)
 * await db.withClaims(token).transaction(async (client) => client.query('select * from posts'))
 * ```
 */
export function claimsPool<TClaims, TPool extends PgPool = pg.Pool>(
  pool: TPool,
  claims: Claims<TClaims>,
): ClaimsPool<TClaims, TPool> {
  return {
    pool,
    withClaims: (token, call) => new PgClaimsScope(pool, CallerScope.forToken(claims, token, call)),
    withVerifiedClaims: (verified, call) =>
      new PgClaimsScope(pool, CallerScope.forVerifiedClaims(claims, verified, call)),
  }
}

/** {@link ClaimsScope} on a pg pool: resolve the caller, then take a connection, then run. */
class PgClaimsScope<TClaims> implements ClaimsScope<TClaims> {
  readonly #pool: PgPool
  readonly #caller: CallerScope<TClaims>

  constructor(pool: PgPool, caller: CallerScope<TClaims>) {
    this.#pool = pool
    this.#caller = caller
  }

  async transaction<T>(
    fn: (client: pg.PoolClient, context: ClaimsContext<TClaims>) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T> {
    const context = await this.#caller.context()
    return usingPgConnection(this.#pool, (connection) =>
      runClaimsTransaction(connection, context, options, (lease) => fn(connection.lend(lease), context)),
    )
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const context = await this.#caller.context()
    return usingPgConnection(this.#pool, (connection) =>
      runClaimsStatement(connection, context, (lease) => connection.lend(lease).query<R>(text, values)),
    )
  }

  context(): Promise<ClaimsContext<TClaims>> {
    return this.#caller.context()
  }
}
