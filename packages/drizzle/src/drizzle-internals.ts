/**
 * The one place that relies on drizzle-orm internals. Checked against drizzle-orm 0.45.4
 * (`drizzle-orm/node-postgres`, `drizzle-orm/neon-serverless`, `drizzle-orm/pg-core`); re-check on
 * every drizzle-orm upgrade:
 *
 * - `drizzle-orm/neon-serverless` builds a `NeonDatabase` whose `NeonSession` drives Neon's `Pool`,
 *   a copy of node-postgres: the same dialect (`PgDialect`), the same private `logger`, clients that
 *   take node-postgres's query config (`rowMode`, `types`). So a claims view of a Neon database is
 *   built exactly as one of a node-postgres database, with `NodePgSession`.
 * - `PgDatabase#dialect`: an `@internal` constructor property, read to reuse the db's dialect
 *   (its `casing`) rather than build another.
 * - `NodePgSession#logger` (`NeonSession#logger`): a private field, read so claims queries are
 *   logged like plain ones.
 * - `NodePgSession`, `NodePgTransaction` and `NodePgDatabase` constructors: built here around a
 *   connection that already holds a claims transaction, as `NodePgSession#transaction` builds them
 *   around a connection after its own `begin`.
 * - `PgSession#prepareQuery` / `PgPreparedQuery#execute`: every direct query (builders, `execute`,
 *   relational `query.*`, `$count`) goes through them, as `NodePgSession#count` relies on.
 * - `PgPreparedQuery#joinsNotNullableMap`: `@internal`, set by the select builder on the prepared
 *   query after `prepareQuery` returns; copied here onto the query that really runs.
 *
 * @module
 */

import {
  type CallerScope,
  type PgPool,
  runClaimsStatement,
  runClaimsTransaction,
  usingPgConnection,
} from '@pg-claims/core/adapter'
import { is, type Logger, type Query, type RelationalSchemaConfig } from 'drizzle-orm'
import { NoopCache } from 'drizzle-orm/cache/core'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import {
  NodePgDatabase,
  NodePgSession,
  type NodePgSessionOptions,
  NodePgTransaction,
} from 'drizzle-orm/node-postgres'
import {
  type PgDatabase,
  PgDialect,
  PgPreparedQuery,
  type PgQueryResultHKT,
  type PgTransactionConfig,
  type PreparedQueryConfig,
  type SelectedFieldsOrdered,
} from 'drizzle-orm/pg-core'
import type { ExtractTablesWithRelations, TablesRelationalConfig } from 'drizzle-orm/relations'
import type pg from 'pg'

/** What a claims-scoped database is built from. */
export interface ClaimsDatabaseParts {
  /** The pool connections are checked out of: a `pg.Pool` or any pool of its shape. */
  readonly pool: PgPool
  /** The caller: resolved (the token verified) before each connection is taken. */
  readonly caller: CallerScope<unknown>
}

/**
 * Builds a `NodePgDatabase` sharing `db`'s dialect, relational schema and logger, whose every
 * transaction and direct query runs in a claims transaction of core's engine (`runClaimsTransaction`,
 * `runClaimsStatement`), on a connection whose client refuses every use once the transaction ended.
 */
export function claimsDatabase<TSchema extends Record<string, unknown>>(
  db: PgDatabase<PgQueryResultHKT, TSchema>,
  parts: ClaimsDatabaseParts,
): NodePgDatabase<TSchema> {
  const dialect: unknown = Reflect.get(db, 'dialect')
  if (!is(dialect, PgDialect)) {
    throw new TypeError('claimsDrizzle takes a drizzle-orm/node-postgres or neon-serverless database')
  }
  const logger: unknown = Reflect.get(db._.session, 'logger')
  const schema =
    db._.schema === undefined
      ? undefined
      : { fullSchema: db._.fullSchema, schema: db._.schema, tableNamesMap: db._.tableNamesMap }
  const session = new ClaimsSession<TSchema, ExtractTablesWithRelations<TSchema>>(parts, dialect, schema, {
    ...(isLogger(logger) && { logger }),
  })
  return new NodePgDatabase<TSchema>(dialect, session, schema)
}

function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'logQuery') === 'function'
}

/**
 * A session that owns no connection: each transaction, and each direct query, checks one out of
 * the pool inside a claims transaction. The driver's cache is left out on purpose: results read
 * under row-level security belong to one caller and must never be served to another.
 */
class ClaimsSession<
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> extends NodePgSession<TFullSchema, TSchema> {
  readonly #parts: ClaimsDatabaseParts
  readonly #dialect: PgDialect
  readonly #schema: RelationalSchemaConfig<TSchema> | undefined
  readonly #options: NodePgSessionOptions

  constructor(
    parts: ClaimsDatabaseParts,
    dialect: PgDialect,
    schema: RelationalSchemaConfig<TSchema> | undefined,
    options: NodePgSessionOptions,
  ) {
    // NodePgSession only reads its client to check out connections, which this session never asks
    // it to do: every transaction and query below takes its connection through core.
    super(parts.pool as pg.Pool, dialect, schema, options)
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
    return new ClaimsPreparedQuery<T>(query, (run) =>
      this.#inClaimsStatement((session) =>
        run(
          session.prepareQuery<T>(
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
  }

  override transaction<T>(
    transaction: (tx: NodePgTransaction<TFullSchema, TSchema>) => Promise<T>,
    config?: PgTransactionConfig,
  ): Promise<T> {
    return this.#inClaimsTransaction(config, (session) =>
      transaction(new NodePgTransaction<TFullSchema, TSchema>(this.#dialect, session, this.#schema)),
    )
  }

  async #inClaimsTransaction<R>(
    config: PgTransactionConfig | undefined,
    fn: (session: NodePgSession<TFullSchema, TSchema>) => Promise<R>,
  ): Promise<R> {
    const context = await this.#parts.caller.context() // verified before any connection is taken
    return usingPgConnection(this.#parts.pool, (connection) =>
      runClaimsTransaction(connection, context, config, (lease) => fn(this.#session(connection.lend(lease)))),
    )
  }

  async #inClaimsStatement<R>(fn: (session: NodePgSession<TFullSchema, TSchema>) => Promise<R>): Promise<R> {
    const context = await this.#parts.caller.context() // verified before any connection is taken
    return usingPgConnection(this.#parts.pool, (connection) =>
      runClaimsStatement(connection, context, (lease) => fn(this.#session(connection.lend(lease)))),
    )
  }

  #session(client: pg.PoolClient): NodePgSession<TFullSchema, TSchema> {
    return new NodePgSession<TFullSchema, TSchema>(client, this.#dialect, this.#schema, this.#options)
  }
}

/**
 * Stands in for the driver's prepared query until it runs (node-postgres and postgres.js): then the
 * real one is prepared on the connection of a fresh claims statement, and executed there (one flight
 * on a pipelined pool).
 */
export class ClaimsPreparedQuery<T extends PreparedQueryConfig> extends PgPreparedQuery<T> {
  /** Set by the select builder after `prepareQuery` (drizzle-orm internal, see above). */
  joinsNotNullableMap: Record<string, boolean> | undefined
  readonly #inTransaction: <R>(run: (prepared: PgPreparedQuery<T>) => Promise<R>) => Promise<R>

  constructor(
    query: Query,
    inTransaction: <R>(run: (prepared: PgPreparedQuery<T>) => Promise<R>) => Promise<R>,
  ) {
    super(query, new NoopCache(), undefined) // 0.44 requires a cache; this one is never asked
    this.#inTransaction = inTransaction
  }

  override execute(placeholderValues?: Record<string, unknown>): Promise<T['execute']> {
    return this.#inTransaction((prepared) =>
      Object.assign(prepared, { joinsNotNullableMap: this.joinsNotNullableMap }).execute(placeholderValues),
    )
  }
}
