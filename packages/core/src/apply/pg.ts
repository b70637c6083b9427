import type pg from 'pg'
import type { Claims } from '../claims.js'
import { beginWithClaimsSql, type ClaimsContext } from '../context.js'
import { fromSettingsError } from './database-errors.js'
import { connectGuarded } from './guarded-connection.js'
import type { TransactionOptions } from './transaction-options.js'

/**
 * A `pg` Pool that runs transactions under verified claims.
 *
 * @example
 * ```ts
 * const db = claimsPool(new pg.Pool({ connectionString }), claims)
 * const rows = await db.withClaims(token).transaction(async (client) => {
 *   const { rows } = await client.query('select * from posts')
 *   return rows
 * })
 * ```
 */
export interface ClaimsPool<TClaims> {
  /** The caller holding `token`, or the anonymous caller for `null`. Verified when a transaction starts. */
  withClaims(token: string | null): ClaimsScope<TClaims>
  /** A caller whose claims your own auth layer already verified. Never pass client input here. */
  withVerifiedClaims(claims: TClaims): ClaimsScope<TClaims>
  /** The pool itself, for work that runs without claims (migrations, admin jobs). */
  readonly pool: pg.Pool
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
   * rethrows when it throws, and always releases the connection (destroying it if it broke).
   */
  transaction<T>(
    fn: (client: pg.PoolClient, context: ClaimsContext<TClaims>) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>
  /** Runs one query in its own claims transaction. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>
  /** The verified claims, role and settings of this caller. */
  context(): Promise<ClaimsContext<TClaims>>
}

/**
 * Wraps a `pg` Pool so each transaction carries one caller's verified claims, as
 * transaction-local settings sent in the same message as `BEGIN`.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { claimsPool, createClaims } from '@pg-claims/core'
 *
 * const claims = createClaims({ secret: process.env.JWT_SECRET!, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } })
 * const db = claimsPool(new pg.Pool({ connectionString: process.env.DATABASE_URL }), claims)
 * await db.withClaims(token).transaction(async (client) => client.query('select * from posts'))
 * ```
 */
export function claimsPool<TClaims>(pool: pg.Pool, claims: Claims<TClaims>): ClaimsPool<TClaims> {
  const scope = (resolve: () => Promise<ClaimsContext<TClaims>>): ClaimsScope<TClaims> => {
    let pending: Promise<ClaimsContext<TClaims>> | undefined
    const context = () => {
      pending ??= resolve()
      return pending
    }
    const transaction: ClaimsScope<TClaims>['transaction'] = async (fn, options) => {
      const resolved = await context()
      return inClaimsTransaction(pool, resolved, options, (client) => fn(client, resolved))
    }
    return {
      transaction,
      context,
      query: (text, values) => transaction((client) => client.query(text, values)),
    }
  }
  return {
    pool,
    withClaims: (token) => scope(() => claims.resolve(token)),
    withVerifiedClaims: (verified) => scope(async () => claims.resolveVerified(verified)),
  }
}

/**
 * Checks out a connection, opens a claims transaction on it in one round trip, runs `fn`, and
 * commits; on any error rolls back and rethrows; always releases the connection, destroying it
 * when it can no longer be trusted. Shared by the `pg` pool wrapper and the adapters.
 *
 * @example
 * ```ts
 * const context = await claims.resolve(token) // verify before taking a connection
 * await inClaimsTransaction(pool, context, { accessMode: 'read only' }, (client) => client.query('select 1'))
 * ```
 */
export async function inClaimsTransaction<T>(
  pool: pg.Pool,
  context: ClaimsContext<unknown>,
  options: TransactionOptions | undefined,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const begin = beginWithClaimsSql(context, options)
  const { client, connectionError } = await connectGuarded(pool)
  let rollbackError: Error | undefined
  try {
    try {
      await client.query(begin)
    } catch (error) {
      throw fromSettingsError(error, context.role)
    }
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    // a dead connection cannot roll back; its own error is the cause to report
    if (connectionError() === undefined) {
      try {
        await client.query('ROLLBACK')
      } catch (caught) {
        rollbackError = caught instanceof Error ? caught : new Error(String(caught))
      }
    }
    throw connectionError() ?? error
  } finally {
    // a connection that broke, or could not roll back, is destroyed rather than reused
    client.release(rollbackError)
  }
}
