import type { ClaimsContext } from '@pg-claims/core'
import type { CallerScope } from '@pg-claims/core/adapter'
import type { DatabaseConnection, Driver, QueryCompiler, TransactionSettings } from 'kysely'
import { ClaimsConnection } from './claims-connection.js'
import { type ConnectionSource, connectSource } from './driver-connection.js'
import { savepoint } from './kysely-internals.js'

/**
 * A Kysely {@link Driver} for one caller: it resolves (verifies) the caller's claims before it
 * takes a connection from the pool (or reserves one of a postgres.js `sql`), and lends the connection wrapped in a {@link ClaimsConnection}.
 */
export class ClaimsDriver implements Driver {
  readonly #source: ConnectionSource
  readonly #caller: CallerScope<unknown>

  constructor(source: ConnectionSource, caller: CallerScope<unknown>) {
    this.#source = source
    this.#caller = caller
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const context: ClaimsContext<unknown> = await this.#caller.context()
    return new ClaimsConnection(await connectSource(this.#source), context)
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
    return savepoint('savepoint', claimsConnection(connection), name, compile)
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return savepoint('rollbackToSavepoint', claimsConnection(connection), name, compile)
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return savepoint('releaseSavepoint', claimsConnection(connection), name, compile)
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    claimsConnection(connection).release()
  }

  /** Does nothing: the pool belongs to the `ClaimsKysely` instance, whose `destroy()` ends it. */
  async destroy(): Promise<void> {}
}

function claimsConnection(connection: DatabaseConnection): ClaimsConnection {
  if (connection instanceof ClaimsConnection) return connection
  throw new Error('@pg-claims/kysely: a connection that this driver did not lend was handed back to it')
}
