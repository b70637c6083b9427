import { type CallOptions, type Claims, PgClaimsError } from '@pg-claims/core'
import { CallerScope, type PgPool } from '@pg-claims/core/adapter'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { claimsDatabase } from './drizzle-internals.js'

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
 * Adds `withClaims(token)` and `withVerifiedClaims(claims)` to a `drizzle-orm/node-postgres`
 * database built on a pool (a `pg.Pool`, or any pool of its shape), and returns it. Create the pool
 * with `pipeline: true`: a claims query then costs one network flight, and a claims transaction one
 * flight fewer than a plain one. Without it, the claims ride in the `BEGIN` message.
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
): ClaimsDatabase<TSchema, TClaims, TClient> {
  const pool = db.$client
  if (typeof pool?.connect !== 'function') {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      'claimsDrizzle needs a database built on a pool (drizzle(pool))',
    )
  }
  const methods: ClaimsMethods<TSchema, TClaims> = {
    withClaims: (token, call) =>
      claimsDatabase(db, { pool, caller: CallerScope.forToken(claims, token, call) }),
    withVerifiedClaims: (verified, call) =>
      claimsDatabase(db, { pool, caller: CallerScope.forVerifiedClaims(claims, verified, call) }),
  }
  return Object.assign(db, methods)
}
