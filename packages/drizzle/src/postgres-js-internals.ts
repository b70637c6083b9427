/**
 * The drizzle-orm internals `drizzle-orm/postgres-js` databases rely on. Checked against
 * drizzle-orm 0.45.4; re-check on every drizzle-orm upgrade:
 *
 * - `PostgresJsSession#options` (`@internal`, holds the logger) and `PgDatabase#dialect`: read to
 *   build claims sessions like the db's own.
 * - `PostgresJsSession` and `PostgresJsTransaction` constructors: built here around the `sql` of a
 *   connection that already holds a claims transaction, as `PostgresJsSession#transaction` builds
 *   them around the `sql` `client.begin` gives. A nested `tx.transaction` calls `sql.savepoint`,
 *   which core's lent `sql` provides.
 * - `PgSession#prepareQuery` / `PgPreparedQuery#execute`: as in `drizzle-internals.ts`.
 *
 * @module
 */
import {
  type CallerScope,
  type PostgresJsSql,
  runClaimsStatement,
  runClaimsTransaction,
  usingPostgresJsConnection,
} from '@pg-claims/core/adapter'
import { is, type Query, type RelationalSchemaConfig } from 'drizzle-orm'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import {
  type PgDatabase,
  PgDialect,
  type PgPreparedQuery,
  type PgQueryResultHKT,
  type PgTransactionConfig,
  type PreparedQueryConfig,
  type SelectedFieldsOrdered,
} from 'drizzle-orm/pg-core'
import {
  PostgresJsDatabase,
  PostgresJsSession,
  type PostgresJsSessionOptions,
  PostgresJsTransaction,
} from 'drizzle-orm/postgres-js'
import type { ExtractTablesWithRelations, TablesRelationalConfig } from 'drizzle-orm/relations'
import type postgres from 'postgres'
import { ClaimsPreparedQuery } from './drizzle-internals.js'

/** Whether `db` is a `drizzle-orm/postgres-js` database. */
export function isPostgresJsDatabase(db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>): boolean {
  return is(db._.session, PostgresJsSession)
}

/**
 * Builds a `PostgresJsDatabase` sharing `db`'s dialect, relational schema and logger, whose every
 * transaction and direct query runs in a claims transaction of core's engine on a connection
 * reserved from `sql`, through an `sql` that refuses every use once the transaction ended.
 */
export function claimsPostgresJsDatabase<TSchema extends Record<string, unknown>>(
  db: PgDatabase<PgQueryResultHKT, TSchema>,
  parts: { readonly sql: PostgresJsSql; readonly caller: CallerScope<unknown> },
): PostgresJsDatabase<TSchema> {
  const dialect: unknown = Reflect.get(db, 'dialect')
  if (!is(dialect, PgDialect)) throw new TypeError('claimsDrizzle takes a drizzle-orm/postgres-js database')
  const options: unknown = Reflect.get(db._.session, 'options')
  const schema =
    db._.schema === undefined
      ? undefined
      : { fullSchema: db._.fullSchema, schema: db._.schema, tableNamesMap: db._.tableNamesMap }
  const session = new ClaimsPostgresJsSession<TSchema, ExtractTablesWithRelations<TSchema>>(
    parts,
    dialect,
    schema,
    typeof options === 'object' && options !== null ? (options as PostgresJsSessionOptions) : {},
  )
  return new PostgresJsDatabase<TSchema>(dialect, session, schema)
}

/** The session a `PostgresJsTransaction` is built on: one around a transaction `sql`. */
type TransactionSession<
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> = ConstructorParameters<typeof PostgresJsTransaction<TFullSchema, TSchema>>[1]

/** A postgres.js session that owns no connection: each transaction and query reserves one with claims. */
class ClaimsPostgresJsSession<
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> extends PostgresJsSession<postgres.Sql, TFullSchema, TSchema> {
  readonly #parts: { readonly sql: PostgresJsSql; readonly caller: CallerScope<unknown> }
  readonly #dialect: PgDialect
  readonly #schema: RelationalSchemaConfig<TSchema> | undefined
  readonly #options: PostgresJsSessionOptions

  constructor(
    parts: { readonly sql: PostgresJsSql; readonly caller: CallerScope<unknown> },
    dialect: PgDialect,
    schema: RelationalSchemaConfig<TSchema> | undefined,
    options: PostgresJsSessionOptions,
  ) {
    // the session's own client is never used: every query below reserves its connection through core
    super(parts.sql as unknown as postgres.Sql, dialect, schema, options)
    this.#parts = parts
    this.#dialect = dialect
    this.#schema = schema
    this.#options = options
  }

  override prepareQuery<T extends PreparedQueryConfig = PreparedQueryConfig>(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    name: string | undefined,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => T['execute'],
    queryMetadata?: { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] },
    cacheConfig?: WithCacheConfig,
  ): PgPreparedQuery<T> {
    return new ClaimsPreparedQuery<T>(query, async (run) => {
      const context = await this.#parts.caller.context() // verified before a connection is reserved
      return usingPostgresJsConnection(this.#parts.sql, (connection) =>
        runClaimsStatement(connection, context, (lease) =>
          run(
            this.#session(connection.lend(lease)).prepareQuery<T>(
              query,
              fields,
              name,
              isResponseInArrayMode,
              customResultMapper,
              queryMetadata,
              cacheConfig,
            ),
          ),
        ),
      )
    })
  }

  override async transaction<T>(
    transaction: (tx: PostgresJsTransaction<TFullSchema, TSchema>) => Promise<T>,
    config?: PgTransactionConfig,
  ): Promise<T> {
    const context = await this.#parts.caller.context() // verified before a connection is reserved
    return usingPostgresJsConnection(this.#parts.sql, (connection) =>
      runClaimsTransaction(connection, context, config, (lease) =>
        transaction(
          new PostgresJsTransaction<TFullSchema, TSchema>(
            this.#dialect,
            // the lent sql has postgres.js's `savepoint` (core adds it), which is all a transaction sql adds
            this.#session(connection.lend(lease)) as unknown as TransactionSession<TFullSchema, TSchema>,
            this.#schema,
          ),
        ),
      ),
    )
  }

  #session(sql: postgres.Sql): PostgresJsSession<postgres.Sql, TFullSchema, TSchema> {
    return new PostgresJsSession(sql, this.#dialect, this.#schema, this.#options)
  }
}
