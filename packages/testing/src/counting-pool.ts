import pg from 'pg'

/** What {@link countConnections} needs of a pool: `pg.Pool`, or Neon's `Pool` (a copy of pg's). */
export interface PoolEvents {
  on(event: 'connect' | 'error', listener: () => void): unknown
}

/**
 * Counts the connections `pool` (pg's or Neon's) opens, so a test can show a bad token took none,
 * and listens for idle connections' errors (a restart, a killed backend), which pg reports on the
 * pool.
 *
 * @example
 * ```ts
 * const opened = countConnections(pool)
 * await pool.query('select 1')
 * opened() // 1
 * ```
 */
export function countConnections(pool: PoolEvents): () => number {
  let opened = 0
  pool.on('connect', () => {
    opened += 1
  })
  pool.on('error', () => {})
  return () => opened
}

/**
 * A `pg` Pool for an adapter under test, its connections counted ({@link countConnections}).
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
  return { pool, opened: countConnections(pool) }
}
