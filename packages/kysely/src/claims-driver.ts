import type { ClaimsContext } from '@pg-claims/core'
import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely'
import { ClaimsConnection } from './claims-connection.js'

/**
 * A Kysely {@link Driver} for one caller: it resolves (verifies) the caller's claims before it
 * takes a connection from the shared driver (Kysely's `PostgresDriver`), and lends the connection
 * wrapped in a {@link ClaimsConnection}, whose `begin` carries the claims.
 */
export class ClaimsDriver implements Driver {
  readonly #inner: Required<Driver>
  readonly #context: () => Promise<ClaimsContext<unknown>>

  constructor(inner: Required<Driver>, context: () => Promise<ClaimsContext<unknown>>) {
    this.#inner = inner
    this.#context = context
  }

  /** Initializes the shared driver, which only stores its pool: harmless to repeat once per handle. */
  init(): Promise<void> {
    return this.#inner.init()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const context = await this.#context()
    return new ClaimsConnection(await this.#inner.acquireConnection(), context)
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return claimsConnection(connection).begin(settings)
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return claimsConnection(connection).commit()
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return claimsConnection(connection).rollback()
  }

  // Savepoints run inside the claims transaction, which they cannot undo: the settings were made before.
  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return this.#inner.savepoint(claimsConnection(connection), name, compile)
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return this.#inner.rollbackToSavepoint(claimsConnection(connection), name, compile)
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return this.#inner.releaseSavepoint(claimsConnection(connection), name, compile)
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(claimsConnection(connection).inner)
  }

  /** Does nothing: the pool belongs to the `ClaimsKysely` instance, whose `destroy()` ends it. */
  async destroy(): Promise<void> {}
}

function claimsConnection(connection: DatabaseConnection): ClaimsConnection {
  if (connection instanceof ClaimsConnection) return connection
  throw new Error('@pg-claims/kysely: a connection that this driver did not lend was handed back to it')
}
