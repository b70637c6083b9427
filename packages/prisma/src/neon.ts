/**
 * `@pg-claims/prisma/neon`: `claimsNeonAdapter`, the claims-ready `@prisma/adapter-neon` (Neon's
 * serverless `Pool`). Import it only where `@prisma/adapter-neon` is installed (an optional peer).
 *
 * @module
 */
import { PrismaNeon } from '@prisma/adapter-neon'
import type pg from 'pg'
import { hookClaimsBegin } from './begin-hook.js'

/**
 * The Neon `Pool` configuration and the options `PrismaNeon` takes.
 *
 * @example
 * ```ts
 * const config: ClaimsNeonAdapterConfig = { connectionString: process.env.DATABASE_URL }
 * ```
 */
export type ClaimsNeonAdapterConfig = ConstructorParameters<typeof PrismaNeon>[0]
/**
 * The options `PrismaNeon` takes besides the pool configuration.
 *
 * @example
 * ```ts
 * const options: ClaimsNeonAdapterOptions = { schema: 'app', onPoolError: (error) => log(error) }
 * ```
 */
export type ClaimsNeonAdapterOptions = ConstructorParameters<typeof PrismaNeon>[1]

/**
 * `@prisma/adapter-neon` (Neon's serverless `Pool`, WebSocket transport), with the pool it makes
 * prepared as `claimsAdapter` prepares a `pg` pool: a claims transaction's settings go out in
 * the same message as its `BEGIN`, and `COMMIT` is checked (`TRANSACTION_ROLLED_BACK`) and followed
 * by the session check. Neon's `Pool` is node-postgres over a WebSocket, and `PrismaNeon` starts a
 * transaction exactly as `@prisma/adapter-pg` does (see `prisma-internals.ts`). Without it,
 * `pgClaims` on a plain `PrismaNeon` still applies the claims, with one more statement per
 * transaction, and cannot tell a `COMMIT` that rolled back.
 *
 * @example
 * ```ts
 * import { claimsNeonAdapter } from '@pg-claims/prisma/neon'
 *
 * const adapter = claimsNeonAdapter({ connectionString: process.env.DATABASE_URL })
 * const prisma = new PrismaClient({ adapter }).$extends(pgClaims(claims))
 * ```
 */
export function claimsNeonAdapter(
  config: ClaimsNeonAdapterConfig,
  options?: ClaimsNeonAdapterOptions,
): PrismaNeon {
  return new ClaimsPrismaNeon(config, options)
}

/** `PrismaNeon` whose pool, once made, has the claims `BEGIN` hook. */
class ClaimsPrismaNeon extends PrismaNeon {
  override async connect(): ReturnType<PrismaNeon['connect']> {
    const adapter = await super.connect()
    // Neon's Pool is a copy of node-postgres's: the hook drives it as a pg.Pool
    hookClaimsBegin(adapter.underlyingDriver() as unknown as pg.Pool)
    return adapter
  }
}
