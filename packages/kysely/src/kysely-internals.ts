/**
 * The one place that relies on Kysely behaviour beyond its documented `Driver` contract. Checked
 * against kysely 0.28.0, 0.28.18 and 0.29.9 (the peer range's ends); re-check on every kysely upgrade:
 *
 * - `PostgresDriver#savepoint`, `#rollbackToSavepoint`, `#releaseSavepoint` only compile the
 *   savepoint command and run it through `connection.executeQuery`; they never touch the driver's
 *   pool. So a `PostgresDriver` that is never initialized can run them on a claims connection,
 *   and Kysely's own identifier quoting of savepoint names is kept (its `parseSavepointCommand` is
 *   not exported).
 * - `PostgresConnection#executeQuery` reports `numAffectedRows` for `INSERT`, `UPDATE`, `DELETE`
 *   and `MERGE` only; {@link queryResult} does the same, so a claims query answers exactly as a
 *   plain one. (0.29 also answers a raw `COMMIT` or `ROLLBACK` with `rows: [{ command }]`, which it
 *   reads to detect an aborted transaction; claims transactions commit through the engine instead.)
 * - `PostgresDialectConfig#pool`: 0.29 requires the pool's `options` (it builds its cancel and kill
 *   control connections from them), 0.28 ignores it; {@link plainPool} passes the pool's own.
 *
 * @module
 */
import { connectPg, type PgPool } from '@pg-claims/core/adapter'
import {
  type DatabaseConnection,
  PostgresDriver,
  type PostgresPool,
  type QueryCompiler,
  type QueryResult,
} from 'kysely'
import type pg from 'pg'

const unusedPool: PlainPool = {
  connect: () => Promise.reject(new Error('unused')),
  end: async () => {},
  options: {},
}
const savepoints = new PostgresDriver({ pool: unusedPool })

/** Runs Kysely's own savepoint command on `connection`. */
export function savepoint(
  kind: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint',
  connection: DatabaseConnection,
  name: string,
  compile: QueryCompiler['compileQuery'],
): Promise<void> {
  return savepoints[kind](connection, name, compile)
}

/** A `pg` (or postgres.js) result as Kysely's `PostgresConnection` reports it. */
export function queryResult<R>(
  result: Pick<pg.QueryResult, 'command' | 'rows'> & { rowCount: number | null },
): QueryResult<R> {
  const { command, rowCount, rows } = result
  const affects = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE'
  const read = (rows ?? []) as R[]
  return affects ? { numAffectedRows: BigInt(rowCount ?? 0), rows: read } : { rows: read }
}

/**
 * A pool as `PostgresDialect` takes it in kysely 0.28 (`connect`, `end`) and 0.29 (also `options`).
 * Declared here, not as kysely's `PostgresPool`, so that one object type-checks against both.
 */
interface PlainPool {
  connect(): ReturnType<PostgresPool['connect']>
  end(): Promise<void>
  options: object
}

/**
 * The pool the plain instance's `PostgresDialect` checks out of: `pool`'s connections, each through
 * core's pg driver (one that dies while lent is destroyed instead of crashing the process). It never
 * ends `pool` (`ClaimsKysely#destroy` does, once) and carries `pool.options`, which 0.29 requires.
 */
export function plainPool(pool: PgPool): PlainPool {
  const options: unknown = Reflect.get(pool, 'options')
  return {
    connect: async () => (await connectPg(pool)).plainClient(),
    end: async () => {},
    options: typeof options === 'object' && options !== null ? options : {},
  }
}
