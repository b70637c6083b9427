import pg from 'pg'

/**
 * A `pg` Pool for an adapter under test: it counts the connections it opens (so a test can show a
 * bad token took none) and listens for idle connections' errors (a restart, a killed backend),
 * which pg reports on the pool.
 *
 * @example
 * ```ts
 * const { pool, opened } = countingPool(database.url, 2)
 * await pool.query('select 1')
 * opened() // 1
 * ```
 */
export function countingPool(
  url: string,
  max: number,
  pipeline = false,
): { pool: pg.Pool; opened(): number } {
  const pool = new pg.Pool({ connectionString: url, max, pipeline })
  let opened = 0
  pool.on('connect', () => {
    opened += 1
  })
  pool.on('error', () => {})
  return { pool, opened: () => opened }
}
