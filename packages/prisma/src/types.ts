import type { ITXClientDenyList, PrismaPromise, UnwrapTuple } from '@prisma/client/runtime/client'

/** Members a client gains from `pgClaims`, removed from the clients it builds. */
type ExtensionMembers = 'withClaims' | 'withVerifiedClaims'

/**
 * The transaction client `$transaction(async (tx) => …)` gives on a claims client: Prisma's
 * transaction client, plus the caller's typed claims.
 *
 * @example
 * ```ts
 * await prisma.withClaims(token).$transaction(async (tx) => {
 *   tx.$claims?.sub // the verified claims (the schema's output type when one is configured)
 *   return tx.note.findMany()
 * })
 * ```
 */
export type ClaimsTransactionClient<TClient, TClaims> = Omit<
  TClient,
  ITXClientDenyList | ExtensionMembers
> & {
  /** The verified claims of this transaction's caller, or `null` for the anonymous caller. */
  readonly $claims: TClaims | null
}

/**
 * A Prisma client whose every operation, raw query and transaction carries one caller's claims.
 *
 * @example
 * ```ts
 * const db: ClaimsClient<typeof prisma, JWTPayload> = prisma.withClaims(token)
 * const notes = await db.note.findMany() // RLS sees the token's claims
 * ```
 */
export type ClaimsClient<TClient, TClaims> = Omit<TClient, '$transaction' | '$extends' | ExtensionMembers> & {
  /**
   * Runs `fn` in one transaction carrying the claims: commits when it resolves, rolls back and
   * rethrows when it throws. `options` are Prisma's (`maxWait`, `timeout`, `isolationLevel`).
   */
  $transaction<R>(
    fn: (tx: ClaimsTransactionClient<TClient, TClaims>) => Promise<R>,
    options?: ClaimsTransactionOptions,
  ): Promise<R>
  /** Runs the operations, in order, in one transaction carrying the claims. */
  $transaction<P extends PrismaPromise<unknown>[]>(
    operations: [...P],
    options?: ClaimsTransactionOptions,
  ): Promise<UnwrapTuple<P>>
  /** Verifies the token (once per client) and returns its claims; `null` for the anonymous caller. */
  $claims(): Promise<TClaims | null>
}

/**
 * Prisma's interactive-transaction options.
 *
 * @example
 * ```ts
 * const options: ClaimsTransactionOptions = { timeout: 10_000, isolationLevel: 'Serializable' }
 * ```
 */
export interface ClaimsTransactionOptions {
  /** Longest wait for a connection, in ms (Prisma's default: 2000). */
  readonly maxWait?: number
  /** Longest transaction, in ms (Prisma's default: 5000). */
  readonly timeout?: number
  /** `'ReadUncommitted' | 'ReadCommitted' | 'RepeatableRead' | 'Serializable'`. */
  readonly isolationLevel?: 'ReadUncommitted' | 'ReadCommitted' | 'RepeatableRead' | 'Serializable'
}
