import {
  connectPg,
  type Lease,
  type PgPool,
  PostgresJsConnection,
  type PostgresJsSql,
  type SessionConnection,
} from '@pg-claims/core/adapter'
import type { CompiledQuery, QueryResult } from 'kysely'
import { queryResult } from './kysely-internals.js'

/**
 * One connection of a driver (`pg`-shaped pool, or postgres.js), as a claims Kysely connection
 * drives it: core's session connection, and how a Kysely query runs on it through a handle that
 * asks `lease` first.
 */
export interface DriverConnection {
  readonly session: SessionConnection
  run<R>(lease: Lease, query: CompiledQuery): Promise<QueryResult<R>>
}

/** Where a claims Kysely handle takes its connections from. */
export type ConnectionSource = { readonly pool: PgPool } | { readonly sql: PostgresJsSql }

/** Checks a connection out of `source` (a pool's, or a postgres.js reservation). */
export async function connectSource(source: ConnectionSource): Promise<DriverConnection> {
  if ('sql' in source) {
    const session = new PostgresJsConnection(await source.sql.reserve())
    return {
      session,
      run: async <R>(lease: Lease, query: CompiledQuery) => {
        const sql = session.lend(lease)
        // prepared when the sql prepares (postgres.js's default), as kysely-postgres-js does
        const rows = await sql.unsafe(query.sql, [...query.parameters] as never[], { prepare: true })
        return queryResult<R>({ command: rows.command, rowCount: rows.count, rows: [...rows] })
      },
    }
  }
  const session = await connectPg(source.pool)
  return {
    session,
    run: async <R>(lease: Lease, query: CompiledQuery) =>
      queryResult<R>(await session.lend(lease).query(query.sql, [...query.parameters])),
  }
}
