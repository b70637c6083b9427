import { beginWithClaimsSql, type ClaimsContext, fromSettingsError } from '@pg-claims/core'
import { CompiledQuery, type DatabaseConnection, type QueryResult, type TransactionSettings } from 'kysely'
import { transactionOptions } from './transaction-settings.js'

const COMMIT = CompiledQuery.raw('commit')
const ROLLBACK = CompiledQuery.raw('rollback')

/**
 * One pooled connection lent to one caller. Inside a transaction it passes queries through; outside
 * one, it runs each query in its own claims transaction, so no query of a claims handle ever runs
 * without the claims. The transaction-control statements it sends go straight to the underlying
 * connection, so Kysely's `log` never sees the claims they carry.
 */
export class ClaimsConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection
  readonly #context: ClaimsContext<unknown>
  #inTransaction = false

  constructor(inner: DatabaseConnection, context: ClaimsContext<unknown>) {
    this.#inner = inner
    this.#context = context
  }

  /** The underlying Kysely `PostgresDriver` connection, to hand back to its driver on release. */
  get inner(): DatabaseConnection {
    return this.#inner
  }

  /**
   * Opens a claims transaction in one round trip: `BEGIN …; SELECT set_config(…, true), …`.
   * When applying the settings fails, the aborted transaction is rolled back here (Kysely does not
   * roll back a transaction whose `begin` threw) and the error goes through `fromSettingsError`.
   */
  async begin(settings: TransactionSettings): Promise<void> {
    const begin = CompiledQuery.raw(beginWithClaimsSql(this.#context, transactionOptions(settings)))
    try {
      await this.#inner.executeQuery(begin)
    } catch (error) {
      await this.#abort(fromSettingsError(error, this.#context.role))
    }
    this.#inTransaction = true
  }

  /** Commits; PostgreSQL ends the transaction even when `COMMIT` fails. */
  async commit(): Promise<void> {
    this.#inTransaction = false
    await this.#inner.executeQuery(COMMIT)
  }

  /** Rolls back. */
  async rollback(): Promise<void> {
    this.#inTransaction = false
    await this.#inner.executeQuery(ROLLBACK)
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#inTransaction) return this.#inner.executeQuery<R>(query)
    await this.begin({})
    let result: QueryResult<R>
    try {
      result = await this.#inner.executeQuery<R>(query)
    } catch (error) {
      return this.#abort(error)
    }
    await this.commit()
    return result
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('@pg-claims/kysely does not stream queries: use execute()')
  }

  /**
   * Rolls back after `error` and rethrows it. A `ROLLBACK` fails only on a dead connection, which
   * pg's pool discards when it is released, so the first error is the one worth reporting.
   */
  async #abort(error: unknown): Promise<never> {
    this.#inTransaction = false
    await this.#inner.executeQuery(ROLLBACK).catch(() => undefined)
    throw error
  }
}
