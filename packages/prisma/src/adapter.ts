import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { hookClaimsBegin } from './begin-hook.js'

/**
 * The options `PrismaPg` takes besides the pool.
 *
 * @example
 * ```ts
 * const options: ClaimsAdapterOptions = { schema: 'app', onConnectionError: (error) => log(error) }
 * ```
 */
export type ClaimsAdapterOptions = ConstructorParameters<typeof PrismaPg>[1]

/**
 * `@prisma/adapter-pg` on `pool`, with the pool prepared so that a claims transaction's settings go
 * out in the same message as its `BEGIN` (one round trip instead of two). Without it, `pgClaims`
 * still works, with one more statement per transaction.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const prisma = new PrismaClient({ adapter: claimsAdapter(pool) }).$extends(pgClaims(claims))
 * ```
 */
export function claimsAdapter(pool: pg.Pool, options?: ClaimsAdapterOptions): PrismaPg {
  return new PrismaPg(hookClaimsBegin(pool), options)
}
