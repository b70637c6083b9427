import { type Claims, claimsPool } from '@pg-claims/core'
import pg from 'pg'

/** The small query every overhead row runs: one row by primary key. */
export const BENCH_QUERY = 'select id, owner from bench_items where id = $1'

/** One way of running the bench query, plain and under claims, as a single query and in a transaction. */
export interface BenchTarget {
  readonly name: string
  /** The bench query on its own, without claims (autocommit). Absent for the transaction-only recipes. */
  plainQuery?(id: number): Promise<unknown>
  /** The bench query on its own, in a claims transaction of its own for `token`. */
  claimsQuery?(token: string, id: number): Promise<unknown>
  /** A plain transaction (`BEGIN`, the query, `COMMIT`, each awaited) without claims. */
  plainTransaction(id: number): Promise<unknown>
  /** A claims transaction for `token` running the bench query. */
  claimsTransaction(token: string, id: number): Promise<unknown>
  close(): Promise<void>
}

/** Builds a target on the `authenticator` URL with a pool of `poolSize`, pipelined or not. */
export type BenchTargetFactory = (options: {
  url: string
  claims: Claims
  poolSize: number
  pipeline: boolean
}) => Promise<BenchTarget>

/** A pool as the bench's targets use it. */
export function benchPool(url: string, poolSize: number, pipeline: boolean): pg.Pool {
  return new pg.Pool({ connectionString: url, max: poolSize, pipeline })
}

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

const begin = (client: pg.PoolClient) => client.query('BEGIN').then(() => undefined)

/** Plain `pg` and pg-claims' `claimsPool`. */
export const pgTarget: BenchTargetFactory = async ({ url, claims, poolSize, pipeline }) => {
  const pool = benchPool(url, poolSize, pipeline)
  const db = claimsPool(pool, claims)
  return {
    name: 'pg (claimsPool)',
    plainQuery: (id) => pool.query(BENCH_QUERY, [id % 100]),
    claimsQuery: (token, id) => db.withClaims(token).query(BENCH_QUERY, [id % 100]),
    plainTransaction: (id) => plainTransaction(pool, id, begin),
    claimsTransaction: (token, id) =>
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
  return async ({ url, claims, poolSize, pipeline }) => {
    const pool = benchPool(url, poolSize, pipeline)
    return {
      name: `pg, ${mode}`,
      plainTransaction: (id) => plainTransaction(pool, id, begin),
      claimsTransaction: async (token, id) => {
        const context = await claims.resolve(token)
        return plainTransaction(pool, id, async (client) => {
          await client.query('BEGIN')
          if (mode === 'one statement after BEGIN') {
            await client.query(context.settingsSql)
            return
          }
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
