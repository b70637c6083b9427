import { type Claims, claimsPool } from '@pg-claims/core'
import pg from 'pg'

/** The small query every overhead row runs: one row by primary key, one round trip. */
export const BENCH_QUERY = 'select id, owner from bench_items where id = $1'

/** One way of running the bench query in a transaction, plain and under claims. */
export interface BenchTarget {
  readonly name: string
  /** A plain transaction (no claims) running the bench query. */
  plain(id: number): Promise<unknown>
  /** A claims transaction for `token` running the bench query. */
  claims(token: string, id: number): Promise<unknown>
  close(): Promise<void>
}

/** Builds a target on the `authenticator` URL with a pool of `poolSize`. */
export type BenchTargetFactory = (options: {
  url: string
  claims: Claims
  poolSize: number
}) => Promise<BenchTarget>

async function plainTransaction(pool: pg.Pool, id: number, before: (client: pg.PoolClient) => Promise<void>) {
  const client = await pool.connect()
  try {
    await before(client)
    const result = await client.query(BENCH_QUERY, [id % 100])
    await client.query('COMMIT')
    return result.rows
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

/** Plain `pg` and pg-claims' `claimsPool`. */
export const pgTarget: BenchTargetFactory = async ({ url, claims, poolSize }) => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  const db = claimsPool(pool, claims)
  return {
    name: 'pg (claimsPool)',
    plain: (id) => plainTransaction(pool, id, (client) => client.query('BEGIN').then(() => undefined)),
    claims: (token, id) =>
      db.withClaims(token).transaction((client) => client.query(BENCH_QUERY, [id % 100])),
    close: () => pool.end(),
  }
}

/**
 * Today's recipes, as reference rows: verified claims (from the same cache) applied after BEGIN,
 * either as one `set_config` statement or as separate `set_config` and `set local role` statements.
 */
export const recipeTargets = (
  mode: 'one statement after BEGIN' | 'separate statements (naive recipe)',
): BenchTargetFactory => {
  return async ({ url, claims, poolSize }) => {
    const pool = new pg.Pool({ connectionString: url, max: poolSize })
    return {
      name: `pg, ${mode}`,
      plain: (id) => plainTransaction(pool, id, (client) => client.query('BEGIN').then(() => undefined)),
      claims: async (token, id) => {
        const context = await claims.resolve(token)
        return plainTransaction(pool, id, async (client) => {
          if (mode === 'one statement after BEGIN') {
            await client.query('BEGIN')
            await client.query(context.settingsSql)
            return
          }
          await client.query('BEGIN')
          await client.query(`select set_config('request.jwt.claims', $1, true)`, [
            JSON.stringify(context.payload),
          ])
          await client.query('set local role authenticated')
        })
      },
      close: () => pool.end(),
    }
  }
}
