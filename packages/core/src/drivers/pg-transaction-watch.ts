import type { PgClaimsError } from '../errors.js'
import type { Lease } from '../session/lease.js'
import { commandsOf, endsTransaction, transactionEndedEarly } from '../session/transaction-end.js'
import {
  isSubmittable,
  newPgQuery,
  onReadyForQuery,
  type PgQueryClass,
  pgQueryClass,
} from './pg-internals.js'

/**
 * Watches the statements the work sends on a `pg` client inside a claims transaction for one that
 * ends the transaction (`COMMIT`, `ROLLBACK`…: see `endsTransaction`): that statement is answered
 * with `TRANSACTION_ENDED_EARLY` instead of its result, and {@link PgTransactionWatch.ended} holds
 * the error from then on, for the driver to refuse what follows and close the connection. It reads
 * the transaction status PostgreSQL reports after each statement (see `pg-internals.ts`).
 *
 * @example
 * ```ts
 * const watch = new PgTransactionWatch(client)
 * const result = watch.query(['commit'], lease) // rejects: TRANSACTION_ENDED_EARLY
 * watch.stop()
 * ```
 */
export class PgTransactionWatch {
  /** Set once a watched statement ended the transaction. */
  ended: PgClaimsError | undefined
  readonly #client: object
  /** The client's `query` as it was when the watch began (an adapter may wrap it later). */
  readonly #query: (...args: unknown[]) => unknown
  readonly #Query: PgQueryClass | undefined
  readonly #stop: (() => void) | undefined
  /** The status of the last ReadyForQuery; `undefined` until one arrives, or where it cannot be read. */
  #status: string | undefined

  /** Starts watching `client` (pg's, or a pg-compatible copy), sending through its `query` as it is now. */
  constructor(client: object) {
    this.#client = client
    this.#query = Reflect.get(client, 'query') as (...args: unknown[]) => unknown
    this.#Query = pgQueryClass(client)
    this.#stop = onReadyForQuery(client, (status) => {
      this.#status = status
    })
  }

  /**
   * `client.query(…args)` for a handle holding `lease`: answered with `TRANSACTION_ENDED_EARLY`, and
   * `lease` revoked before the caller hears of it, when the statement ended the transaction. The
   * lease is asked again as pg writes the statement, so one queued behind the statement that ended
   * the transaction (sent without waiting, on a client that does not pipeline) is refused
   * (`TRANSACTION_ENDED`), never written. A query object of its own (pg-cursor, pg-query-stream)
   * is sent as it is, unwatched.
   */
  query(args: readonly unknown[], lease: Pick<Lease, 'assertOpen' | 'revoke'>): unknown {
    const send = (...sent: unknown[]): unknown => Reflect.apply(this.#query, this.#client, sent)
    if (this.#Query === undefined || isSubmittable(args[0])) return send(...args)
    const { query, result } = newPgQuery(this.#Query, args)
    const { callback, submit } = query
    query.submit = function (wire) {
      try {
        lease.assertOpen()
      } catch (error) {
        return error as Error // pg answers the query with it, and goes on
      }
      return submit.call(this, wire)
    }
    query.callback = (error, answer) => {
      // called by pg as the statement's ReadyForQuery arrives: #status is that statement's
      if (!error && endsTransaction(commandsOf(answer), this.#status)) {
        this.ended ??= transactionEndedEarly()
        lease.revoke()
        callback?.(this.ended)
        return
      }
      callback?.(error, answer)
    }
    send(query)
    return result
  }

  /** Stops reading the client's transaction status. */
  stop(): void {
    this.#stop?.()
  }
}
