import type pg from 'pg'
import type { SessionConnection, StatementResult } from '../session/connection.js'
import { type Lease, releaseRefused } from '../session/lease.js'
import type { Statement } from '../session/statements.js'
import { type CorkableStream, corkableStream, isPipelined, pgQueryClass } from './pg-internals.js'
import { PgJoin, refuse } from './pg-joined-query.js'
import { PgTransactionWatch } from './pg-transaction-watch.js'

/**
 * Any pool with `pg`'s shape: `pg.Pool` (any copy of `pg` in the app), or Neon's `Pool` from
 * `@neondatabase/serverless`. Accepted by its shape, never by `instanceof`.
 *
 * @example
 * ```ts
 * const pool: PgPool = new pg.Pool({ connectionString, pipeline: true })
 * ```
 */
export interface PgPool {
  connect(): Promise<PgPoolClient>
}

/**
 * What core needs of a client checked out of a {@link PgPool}, loose enough for the `pg` copy Neon
 * bundles (its own types): core drives it exactly as a `pg.PoolClient`.
 *
 * @example
 * ```ts
 * const client: PgPoolClient = await pool.connect()
 * ```
 */
export interface PgPoolClient {
  query(...args: never[]): unknown
  release(destroy?: Error | boolean): void
  on(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * A connection checked out of a {@link PgPool}, as the claims engine drives it. It listens for the
 * errors `pg` emits on a checked-out client whose connection dies (without a listener they crash
 * the process): the first one is kept, reported as the cause of whatever fails next, and the
 * connection is destroyed rather than returned to the pool.
 *
 * @example
 * ```ts
 * await usingPgConnection(pool, (connection) =>
 *   runClaimsTransaction(connection, context, undefined, (lease) => work(connection.lend(lease))),
 * )
 * ```
 */
export class PgConnection implements SessionConnection {
  readonly pipelined: boolean
  readonly #client: pg.PoolClient
  readonly #release: pg.PoolClient['release']
  readonly #stream: CorkableStream | undefined
  /** Watches the work's statements for one that ends the transaction. */
  readonly #watch: PgTransactionWatch
  /** The statement waiting for the next lent query, if any. */
  #join: PgJoin | undefined
  #broken: Error | undefined
  #discarded: Error | undefined
  /** What {@link PgConnection.release} waits for first (the session check's verdict), if anything. */
  #hold: Promise<unknown> | undefined
  readonly #onError = (error: Error) => {
    this.#broken ??= error
  }

  /** Takes over `client`, just checked out of its pool. Use {@link connectPg}. */
  constructor(pooled: PgPoolClient) {
    // a pg-shaped client (pg's, or the copy Neon bundles) answers exactly as pg's own
    const client = pooled as unknown as pg.PoolClient
    this.#client = client
    this.pipelined = isPipelined(client)
    this.#stream = this.pipelined ? corkableStream(client) : undefined
    const Query = this.pipelined ? pgQueryClass(client) : undefined
    if (Query !== undefined) {
      this.joinNextStatement = (statement) => {
        this.#join = new PgJoin(client, Query, statement)
        return this.#join
      }
    }
    this.#watch = new PgTransactionWatch(client)
    this.#release = client.release
    client.on('error', this.#onError)
  }

  async execute(statement: { text: string; values?: readonly string[] }): Promise<StatementResult> {
    return answer(await this.#client.query({ text: statement.text, values: [...(statement.values ?? [])] }))
  }

  async script(text: string): Promise<readonly StatementResult[]> {
    const answers: pg.QueryResult | pg.QueryResult[] = await this.#client.query(text)
    return (Array.isArray(answers) ? answers : [answers]).map(answer)
  }

  /** Set on a pipelined client whose queries can be joined; see {@link SessionConnection.joinNextStatement}. */
  readonly joinNextStatement?: (statement: Statement) => PgJoin

  cork(): void {
    this.#stream?.cork()
  }

  uncork(): void {
    this.#stream?.uncork()
  }

  brokenBy(): Error | undefined {
    return this.#broken ?? this.#watch.ended
  }

  discard(reason: Error): void {
    this.#discarded ??= reason
  }

  holdRelease(verdict: Promise<unknown>): void {
    this.#hold = verdict
  }

  release(): void {
    const hold = this.#hold
    if (hold !== undefined) {
      this.#hold = undefined
      void hold.then(() => this.release())
      return
    }
    this.#client.off('error', this.#onError)
    this.#watch.stop()
    this.#release.call(this.#client, this.brokenBy() ?? this.#discarded)
  }

  /**
   * The client for work WITHOUT claims (an ORM's plain instance): the real client, whose
   * `release(destroy?)` gives the connection back through {@link PgConnection.release}, so a
   * connection that broke while lent is destroyed instead of crashing the process.
   *
   * @example
   * ```ts
   * const client = (await connectPg(pool)).plainClient()
   * ```
   */
  plainClient(): pg.PoolClient {
    const release = (destroy?: Error | boolean) => {
      if (destroy) this.discard(destroy instanceof Error ? destroy : new Error('released with destroy'))
      this.release()
    }
    return new Proxy(this.#client, {
      get(target, key) {
        if (key === 'release') return release
        const value: unknown = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }

  /**
   * The client the caller's code is given: the real `pg` client, except that every query first asks
   * `lease` (so none runs once the transaction has ended: `TRANSACTION_ENDED`), a query that ends
   * the transaction itself (`COMMIT`…) is answered with `TRANSACTION_ENDED_EARLY` and revokes the
   * lease (the connection is then closed when released), and `release()` throws `RELEASE_REFUSED`
   * (the transaction gives its connection back itself).
   *
   * @example
   * ```ts
   * await fn(connection.lend(transaction.lease))
   * ```
   */
  lend(lease: Lease): pg.PoolClient {
    const client = this.#client
    const query = (...args: unknown[]): unknown => {
      try {
        lease.admit()
      } catch (error) {
        return refuse(error as Error, args)
      }
      const join = this.#join
      this.#join = undefined
      if (join !== undefined && !join.taken) return join.send(args)
      return this.#watch.query(args, lease)
    }
    const release = () => {
      lease.assertOpen()
      throw releaseRefused()
    }
    return new Proxy(client, {
      get(target, key) {
        if (key === 'query') return query
        if (key === 'release') return release
        const value: unknown = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  }
}

/**
 * Checks a connection out of `pool` for the claims engine. Call it only after the caller's token
 * was verified, so a bad token never takes a connection.
 *
 * @example
 * ```ts
 * const context = await scope.context()
 * const connection = await connectPg(pool)
 * ```
 */
export async function connectPg(pool: PgPool): Promise<PgConnection> {
  return new PgConnection(await pool.connect())
}

/**
 * Checks a connection out of `pool`, runs `fn` with it, and always gives it back (destroyed when it
 * broke or could not roll back). Call it only after the caller's token was verified.
 *
 * @example
 * ```ts
 * const context = await scope.context()
 * await usingPgConnection(pool, (connection) => runClaimsStatement(connection, context, work))
 * ```
 */
export async function usingPgConnection<T>(
  pool: PgPool,
  fn: (connection: PgConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectPg(pool)
  try {
    return await fn(connection)
  } finally {
    connection.release()
  }
}

function answer(result: pg.QueryResult | undefined): StatementResult {
  return { command: result?.command ?? '', rows: result?.rows ?? [] }
}
