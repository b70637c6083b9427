import { once } from 'node:events'
import { connect } from 'node:net'
import postgres from 'postgres'
import { hostAndPortOf } from './connection-url.js'

/**
 * A postgres.js `sql` for an adapter under test, on `url` with at most `max` connections, that
 * counts the connections it opens (so a test can show a bad token reserved none), as
 * `countingPool` does for `pg`. `prepare` is postgres.js's own option (`false` for transaction
 * poolers); notices are not printed.
 *
 * @example
 * ```ts
 * const { sql, opened } = countingPostgresJs(database.url, 2, { prepare: false })
 * await sql`select 1`
 * opened() // 1
 * ```
 */
export function countingPostgresJs(
  url: string,
  max: number,
  options: { readonly prepare: boolean },
): { sql: postgres.Sql; opened(): number } {
  const { host, port } = hostAndPortOf(url)
  let opened = 0
  // postgres.js's `socket` option (a connected socket per connection) is missing from its types
  const socket: object = {
    socket: async () => {
      opened += 1
      const connection = connect(port, host)
      await once(connection, 'connect')
      return connection
    },
  }
  const sql = postgres(url, { max, prepare: options.prepare, onnotice: () => {}, ...socket })
  return { sql, opened: () => opened }
}
