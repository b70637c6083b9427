import type { ClaimsContext } from '@pg-claims/core'
import { ClaimsTransaction, Lease, runClaimsStatement } from '@pg-claims/core/adapter'
import type { CompiledQuery, DatabaseConnection, QueryResult, TransactionSettings } from 'kysely'
import type { DriverConnection } from './driver-connection.js'
import { transactionOptions } from './transaction-settings.js'

/**
 * One pooled connection lent to one caller's Kysely handle, on core's claims engine. Inside a
 * transaction (`transaction()`, `startTransaction()`) it sends queries in the claims transaction;
 * outside one (a direct query, `connection()`), each query runs in a claims transaction of its own,
 * so no query of a claims handle ever runs without the claims. Once Kysely releases it, every use
 * is refused with `TRANSACTION_ENDED`: a `Transaction` or `connection()` handle kept beyond its
 * callback can never reach a connection that serves another caller.
 */
export class ClaimsConnection implements DatabaseConnection {
  readonly #driver: DriverConnection
  readonly #connection: DriverConnection['session']
  readonly #context: ClaimsContext<unknown>
  /** This Kysely connection's own right to the pooled connection, until Kysely releases it. */
  readonly #lease = new Lease()
  #transaction: ClaimsTransaction | undefined

  constructor(driver: DriverConnection, context: ClaimsContext<unknown>) {
    this.#driver = driver
    this.#connection = driver.session
    this.#context = context
  }

  /**
   * Opens a claims transaction. On a pipelined pool `BEGIN` and the settings are written without
   * waiting, so they leave with the first query; a settings failure then surfaces, typed, from that
   * query. Otherwise they go as one message, and a failure is rolled back and thrown here (Kysely
   * does not roll back a transaction whose `begin` threw).
   */
  async begin(settings: TransactionSettings): Promise<void> {
    this.#lease.assertOpen()
    const claims = await ClaimsTransaction.open(this.#connection, this.#context, transactionOptions(settings))
    if (!this.#connection.pipelined) {
      const failure = await claims.openFailure()
      if (failure !== undefined) {
        const reported = await claims.fail(failure)
        claims.end()
        throw reported
      }
    }
    this.#transaction = claims
  }

  /** Commits; the typed settings error or `TRANSACTION_ROLLED_BACK` when nothing was committed. */
  async commit(): Promise<void> {
    const claims = this.#take()
    try {
      await claims.commit()
    } catch (error) {
      throw await claims.fail(error)
    } finally {
      claims.end()
    }
  }

  /** Rolls back; nothing to do when a failed begin or commit already ended the transaction. */
  async rollback(): Promise<void> {
    const claims = this.#transaction
    if (claims === undefined) return
    this.#transaction = undefined
    await claims.fail(undefined)
    claims.end()
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.#lease.assertOpen()
    const transaction = this.#transaction
    if (transaction !== undefined) {
      try {
        return await this.#driver.run<R>(transaction.lease, query)
      } catch (error) {
        throw await transaction.explain(error)
      }
    }
    return runClaimsStatement(this.#connection, this.#context, (lease) => this.#driver.run<R>(lease, query))
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('@pg-claims/kysely does not stream queries: use execute()')
  }

  /** Ends this Kysely connection's use of the pooled connection, and gives it back. */
  release(): void {
    this.#lease.revoke()
    this.#transaction?.end()
    this.#connection.release()
  }

  #take(): ClaimsTransaction {
    const transaction = this.#transaction
    if (transaction === undefined) throw new Error('@pg-claims/kysely: no claims transaction is open')
    this.#transaction = undefined
    return transaction
  }
}
