import { beginStatement, type PostgresJsSql } from '@pg-claims/core/adapter'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import type postgres from 'postgres'
import { queryResult, savepoint } from './kysely-internals.js'
import { transactionOptions } from './transaction-settings.js'

/**
 * The Kysely driver of a `ClaimsKysely` instance on postgres.js, for its plain (claim-free) work:
 * each Kysely connection is one `sql.reserve()`, given back when Kysely releases it.
 */
export class PlainPostgresJsDriver implements Driver {
  readonly #sql: PostgresJsSql

  constructor(sql: PostgresJsSql) {
    this.#sql = sql
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PlainPostgresJsConnection(await this.#sql.reserve())
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(beginStatement(transactionOptions(settings))))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return savepoint('savepoint', connection, name, compile)
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return savepoint('rollbackToSavepoint', connection, name, compile)
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return savepoint('releaseSavepoint', connection, name, compile)
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof PlainPostgresJsConnection) connection.release()
  }

  /** Does nothing: the `sql` belongs to the `ClaimsKysely` instance, whose `destroy()` ends it. */
  async destroy(): Promise<void> {}
}

class PlainPostgresJsConnection implements DatabaseConnection {
  readonly #reserved: postgres.ReservedSql<Record<string, unknown>>

  constructor(reserved: postgres.ReservedSql<Record<string, unknown>>) {
    this.#reserved = reserved
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const rows = await this.#reserved.unsafe(query.sql, [...query.parameters] as never[], { prepare: true })
    return queryResult<R>({ command: rows.command, rowCount: rows.count, rows: [...rows] })
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('@pg-claims/kysely does not stream queries: use execute()')
  }

  release(): void {
    this.#reserved.release()
  }
}
