import { PgClaimsError } from '../errors.js'

/**
 * The right of a handle (a `pg` client, a Kysely connection, a Drizzle transaction) lent to the
 * caller's code to send statements on a connection that is in a claims transaction. Every handle
 * asks its lease before each statement; once the transaction ends the lease is revoked, and a handle
 * kept beyond it can never reach a connection that now belongs to someone else.
 *
 * @example
 * ```ts
 * const lease = new Lease()
 * lease.admit() // before every statement the handle sends
 * lease.revoke() // when the transaction ends
 * lease.admit() // throws PgClaimsError TRANSACTION_ENDED
 * ```
 */
export class Lease {
  #revoked = false
  #statements = 0
  #onFirst: (() => void) | undefined

  /** Whether the transaction has ended. */
  get revoked(): boolean {
    return this.#revoked
  }

  /**
   * Called by the handle right before it sends a statement: throws `TRANSACTION_ENDED` once the
   * transaction has ended, and otherwise counts the statement.
   */
  admit(): void {
    this.assertOpen()
    this.#statements += 1
    if (this.#statements === 1) this.#onFirst?.()
  }

  /** Throws `TRANSACTION_ENDED` once the transaction has ended. */
  assertOpen(): void {
    if (this.#revoked) {
      throw new PgClaimsError(
        'TRANSACTION_ENDED',
        'This handle belonged to a claims transaction that has ended: run queries inside the callback, or start a new transaction',
      )
    }
  }

  /** Calls `listener` when the handle sends its first statement (at once if it already has). */
  onFirstStatement(listener: () => void): void {
    if (this.#statements > 0) listener()
    else this.#onFirst = listener
  }

  /** Ends the lease: every later {@link Lease.admit} throws. */
  revoke(): void {
    this.#revoked = true
    this.#onFirst = undefined
  }
}

/**
 * The error for a handle that tries to give its connection back in the middle of its transaction.
 *
 * @example
 * ```ts
 * release() { throw releaseRefused() }
 * ```
 */
export function releaseRefused(): PgClaimsError {
  return new PgClaimsError(
    'RELEASE_REFUSED',
    'A claims transaction releases its own connection when it ends: do not call release() inside the callback',
  )
}
