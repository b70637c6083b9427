import { type CallOptions, type Claims, PgClaimsError } from '@pg-claims/core'
import { CallerScope, type PgPool, type PostgresJsSql } from '@pg-claims/core/adapter'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { claimsDatabase } from './drizzle-internals.js'
import { claimsPostgresJsDatabase, isPostgresJsDatabase } from './postgres-js-internals.js'

/**
 * What {@link claimsDrizzle} adds to a Drizzle database: one caller's view of it.
 *
 * @example
 * ```ts
 * const mine = await db.withClaims(token).select().from(posts) // one claims transaction
 * await db.withClaims(token).transaction(async (tx) => tx.insert(posts).values({ title: 'hi' }))
 * ```
 */
export interface ClaimsMethods<TSchema extends Record<string, unknown>, TClaims> {
  /**
   * The database as the holder of `token` sees it (`null`: the anonymous caller). Every
   * `transaction` and every direct query (`select`, `insert`, `update`, `delete`, `execute`,
   * `query.*`, `$count`) runs in a transaction carrying the token's claims. The token is verified
   * (or taken from core's cache, re-checking `exp`) before each connection is checked out; a bad
   * one rejects with a `PgClaimsError`. `call` adds the request context (`request.*`) and
   * settings of this call.
   */
  withClaims(token: string | null, call?: CallOptions): NodePgDatabase<TSchema>
  /**
   * The database as a caller whose claims your own auth layer already verified sees it. Never pass
   * client input here: nothing checks a signature. Invalid claims throw here, synchronously.
   */
  withVerifiedClaims(claims: TClaims, call?: CallOptions): NodePgDatabase<TSchema>
}

/**
 * A Drizzle node-postgres database on a `pg.Pool`, with {@link ClaimsMethods}. Used directly, it
 * stays claim-free (migrations, admin jobs).
 *
 * @example
 * ```ts
 * const db: ClaimsDatabase<typeof schema> = claimsDrizzle(drizzle(pool, { schema }), claims)
 * ```
 */
export type ClaimsDatabase<
  TSchema extends Record<string, unknown> = Record<string, never>,
  TClaims = Parameters<Claims['resolveVerified']>[0],
  TClient extends PgPool = PgPool,
> = NodePgDatabase<TSchema> & { $client: TClient } & ClaimsMethods<TSchema, TClaims>

/**
 * What {@link claimsDrizzle} adds to a Drizzle database of another driver
 * (`drizzle-orm/neon-serverless` on Neon's `Pool`, `drizzle-orm/postgres-js` on postgres.js): the
 * same two methods, each view typed as the database it was made from.
 *
 * @example
 * ```ts
 * const db = claimsDrizzle(drizzle(new Pool({ connectionString })), claims) // neon-serverless
 * const mine: NeonDatabase = db.withClaims(token)
 * ```
 */
export interface ClaimsViews<TView, TClaims> {
  /** As {@link ClaimsMethods.withClaims}. */
  withClaims(token: string | null, call?: CallOptions): TView
  /** As {@link ClaimsMethods.withVerifiedClaims}. */
  withVerifiedClaims(claims: TClaims, call?: CallOptions): TView
}

/**
 * Adds `withClaims(token)` and `withVerifiedClaims(claims)` to a Drizzle database built on a pool
 * with `pg`'s shape: `drizzle-orm/node-postgres` on a `pg.Pool`, or `drizzle-orm/neon-serverless`
 * on Neon's `Pool` (which is node-postgres over a WebSocket: its claims views run on Drizzle's
 * node-postgres session, and answer as Neon's do); or to `drizzle-orm/postgres-js` on a
 * postgres.js `sql` (each claims transaction and query on a connection `sql.reserve()` gives). Create a `pg.Pool` with `pipeline: true`: a
 * claims query then costs one network flight, and a claims transaction one flight fewer than a
 * plain one. Without it, the claims ride in the `BEGIN` message.
 *
 * @example
 * ```ts
 * import { createClaims } from '@pg-claims/core'
 * import { claimsDrizzle } from '@pg-claims/drizzle'
 * import { drizzle } from 'drizzle-orm/node-postgres'
 * import pg from 'pg'
 *
 * const claims = createClaims({ secret, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } })
 * const db = claimsDrizzle(drizzle(new pg.Pool({ connectionString }), { schema }), claims)
 * const mine = await db.withClaims(token).select().from(schema.posts)
 * ```
 */
export function claimsDrizzle<TSchema extends Record<string, unknown>, TClaims, TClient extends PgPool>(
  db: NodePgDatabase<TSchema> & { $client: TClient },
  claims: Claims<TClaims>,
): ClaimsDatabase<TSchema, TClaims, TClient>
export function claimsDrizzle<
  // biome-ignore lint/suspicious/noExplicitAny: any relational schema of any pg-shaped driver
  TDatabase extends PgDatabase<PgQueryResultHKT, any> & { $client: PgPool | PostgresJsSql },
  TClaims,
>(db: TDatabase, claims: Claims<TClaims>): TDatabase & ClaimsViews<Omit<TDatabase, '$client'>, TClaims>
export function claimsDrizzle<TSchema extends Record<string, unknown>, TClaims>(
  db: PgDatabase<PgQueryResultHKT, TSchema> & { $client: PgPool | PostgresJsSql },
  claims: Claims<TClaims>,
): ClaimsViews<PgDatabase<PgQueryResultHKT, TSchema>, TClaims> {
  const client = db.$client
  if (isPostgresJsDatabase(db) && typeof Reflect.get(Object(client), 'reserve') === 'function') {
    const sql = client as PostgresJsSql
    return Object.assign(db, {
      withClaims: (token: string | null, call?: CallOptions) =>
        claimsPostgresJsDatabase(db, { sql, caller: CallerScope.forToken(claims, token, call) }),
      withVerifiedClaims: (verified: TClaims, call?: CallOptions) =>
        claimsPostgresJsDatabase(db, { sql, caller: CallerScope.forVerifiedClaims(claims, verified, call) }),
    })
  }
  if (typeof Reflect.get(Object(client), 'connect') !== 'function') {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      'claimsDrizzle needs a database built on a pool or a postgres.js sql (drizzle(pool), drizzle(sql))',
    )
  }
  const pool = client as PgPool
  const methods: ClaimsMethods<TSchema, TClaims> = {
    withClaims: (token, call) =>
      claimsDatabase(db, { pool, caller: CallerScope.forToken(claims, token, call) }),
    withVerifiedClaims: (verified, call) =>
      claimsDatabase(db, { pool, caller: CallerScope.forVerifiedClaims(claims, verified, call) }),
  }
  return Object.assign(db, methods)
}
