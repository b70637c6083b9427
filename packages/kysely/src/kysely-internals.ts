/**
 * The one place that relies on Kysely behaviour beyond its documented `Driver` contract. Checked
 * against kysely 0.28.18 and 0.29; re-check on every kysely upgrade:
 *
 * - `PostgresDriver#savepoint`, `#rollbackToSavepoint`, `#releaseSavepoint` only compile the
 *   savepoint command and run it through `connection.executeQuery`; they never touch the driver's
 *   pool. So a `PostgresDriver` that is never initialized can run them on a claims connection,
 *   and Kysely's own identifier quoting of savepoint names is kept (its `parseSavepointCommand` is
 *   not exported).
 * - `PostgresConnection#executeQuery` reports `numAffectedRows` for `INSERT`, `UPDATE`, `DELETE`
 *   and `MERGE` only; {@link queryResult} does the same, so a claims query answers exactly as a
 *   plain one.
 *
 * @module
 */
import { type DatabaseConnection, PostgresDriver, type QueryCompiler, type QueryResult } from 'kysely'
import type pg from 'pg'

const savepoints = new PostgresDriver({
  pool: { connect: () => Promise.reject(new Error('unused')), end: async () => {} },
})

/** Runs Kysely's own savepoint command on `connection`. */
export function savepoint(
  kind: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint',
  connection: DatabaseConnection,
  name: string,
  compile: QueryCompiler['compileQuery'],
): Promise<void> {
  return savepoints[kind](connection, name, compile)
}

/** A `pg` result as Kysely's `PostgresConnection` reports it. */
export function queryResult<R>(result: pg.QueryResult): QueryResult<R> {
  const { command, rowCount, rows } = result
  const affects = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE'
  const read = (rows ?? []) as R[]
  return affects ? { numAffectedRows: BigInt(rowCount ?? 0), rows: read } : { rows: read }
}
