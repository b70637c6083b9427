import type pg from 'pg'

/**
 * A checked-out client whose connection errors are caught and remembered until it is released.
 *
 * @example
 * ```ts
 * const guarded: GuardedClient = await connectGuarded(pool)
 * guarded.connectionError() // undefined while the connection is healthy
 * ```
 */
export interface GuardedClient {
  /** The client. Its `release()` stops listening and destroys the connection if it broke. */
  readonly client: pg.PoolClient
  /** The first connection error the client emitted since checkout (a killed backend, a restart). */
  connectionError(): Error | undefined
}

/**
 * Checks a client out of `pool` and listens for the errors `pg` emits on a checked-out client when
 * its connection dies. Without a listener those errors are unhandled and crash the process; with
 * this one the first error is kept (it is the real cause of whatever fails next), and releasing
 * the client destroys the connection instead of returning it to the pool.
 *
 * @example
 * ```ts
 * const { client, connectionError } = await connectGuarded(pool)
 * try {
 *   await client.query('select 1')
 * } catch (error) {
 *   throw connectionError() ?? error
 * } finally {
 *   client.release()
 * }
 * ```
 */
export async function connectGuarded(pool: pg.Pool): Promise<GuardedClient> {
  const client = await pool.connect()
  let failure: Error | undefined
  const onError = (error: Error) => {
    failure ??= error
  }
  client.on('error', onError)
  const release = client.release
  client.release = (destroy?: Error | boolean) => {
    client.off('error', onError)
    client.release = release
    return release.call(client, destroy ?? failure)
  }
  return { client, connectionError: () => failure }
}
