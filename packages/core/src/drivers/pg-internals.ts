/**
 * The one place core's `pg` driver relies on node-postgres internals. Checked against pg 8.16.3 and
 * 8.23.1 (the ends of the peer range) and the copy `@neondatabase/serverless` 1.x bundles; re-check
 * on every pg upgrade:
 *
 * - `Client#pipeline`: the `pipeline` option (pg >= 8.23) as the client keeps it; `true` when
 *   queries are written as they are submitted, without waiting for earlier answers. Absent before
 *   8.23 and in Neon's copy: read as not pipelined.
 * - `Client#connection.stream`: the client's socket (a `net.Socket`, a `tls.TLSSocket`, or Neon's
 *   WebSocket shim). Its `cork()`/`uncork()` hold several statements' writes for one system call;
 *   pg's own `Query#prepare` corks it around each extended-protocol statement the same way. Where
 *   the stream has no `cork`, nothing is held.
 * - `Client.Query` (the client's constructor's static, pg's `Query` class): a pipelined client
 *   accepts a `Query` instance (never another submittable). A single claims query is such an
 *   instance with, set on it, `queryMode = 'extended'` (so its text goes as Parse/Bind/Describe/
 *   Execute and one Sync, never as a simple-protocol message), its own `prepare(connection)`
 *   (writes the settings' Parse/Bind/Execute through `connection.parse`/`bind`/`execute`, then
 *   calls pg's), and its own `handleDataRow`, `handleCommandComplete(message, connection)`,
 *   `handleError(error, connection)` and `callback`, which pg calls in the order PostgreSQL
 *   answers; `hasBeenParsed(connection)`, `name` and `text` as pg's `prepare` reads them.
 * - `Client#connection` emits `readyForQuery` with pg-protocol's message, whose `status` is the
 *   transaction status PostgreSQL reports after every statement (`'I'` idle, `'T'` in a
 *   transaction, `'E'` failed). A listener put first (`prependListener`) reads it before the client
 *   calls the active query back, so a query's callback sees its own statement's status. pg 8.21
 *   added `getTransactionStatus()`; the event is there in every version of the range, and in Neon's
 *   copy.
 * - `new Query(config, values, callback)` builds the query exactly as `client.query` does (and
 *   `client.query(query)` sends it, applying `query_timeout` as for a config); without a callback
 *   the caller gives the query the `callback` that settles the promise `client.query` would return.
 *   The client calls `query.submit(connection)` when it writes the query (at once when pipelined,
 *   otherwise when the query reaches the head of its queue); an `Error` returned instead is given
 *   to the query's `handleError`, nothing is written, and the client goes on with the next.
 * - `Connection#parsedStatements` / `#submittedNamedStatements`: the client records a named
 *   statement as parsed on the active query's first ParseComplete, which for a joined query is the
 *   settings statement's; the join moves the name back to "submitted" until its own arrives.
 *   Absent in Neon's copy, which does not pipeline.
 *
 * @module
 */

/** The part of a socket the driver holds writes on. */
export interface CorkableStream {
  cork(): void
  uncork(): void
}

/**
 * Whether `client` (pg's or a pg-compatible copy) runs in pipeline mode.
 *
 * @example
 * ```ts
 * const pipelined = isPipelined(await pool.connect())
 * ```
 */
export function isPipelined(client: object): boolean {
  return Reflect.get(client, 'pipeline') === true
}

/**
 * The socket of `client`, when it can hold writes (`cork`/`uncork`); `undefined` otherwise.
 *
 * @example
 * ```ts
 * const stream = corkableStream(client)
 * stream?.cork()
 * ```
 */
export function corkableStream(client: object): CorkableStream | undefined {
  const connection: unknown = Reflect.get(client, 'connection')
  const stream: unknown =
    typeof connection === 'object' && connection !== null ? Reflect.get(connection, 'stream') : undefined
  if (typeof stream !== 'object' || stream === null) return undefined
  const { cork, uncork } = stream as Partial<CorkableStream>
  return typeof cork === 'function' && typeof uncork === 'function' ? (stream as CorkableStream) : undefined
}

/** The part of pg's `Connection` (the wire writer a query's `prepare` is given) a joined query uses. */
export interface PgWire {
  parse(message: { text: string }): void
  bind(message: { values: string[] }): void
  execute(message: object): void
  readonly parsedStatements: Record<string, string>
  readonly submittedNamedStatements: Record<string, string>
}

/** The part of pg's `Query` a joined query drives (see the module comment). */
export interface PgQuery {
  queryMode?: string
  readonly name?: string
  readonly text?: string
  callback?: (error: Error | null | undefined, result?: unknown) => void
  submit(this: PgQuery, wire: PgWire): Error | undefined
  prepare(this: PgQuery, wire: PgWire): void
  hasBeenParsed(wire: PgWire): boolean
  handleDataRow(this: PgQuery, message: unknown): void
  handleCommandComplete(this: PgQuery, message: unknown, wire: PgWire): void
  handleError(this: PgQuery, error: Error, wire: PgWire): void
}

/** pg's `Query` class: built from `client.query`'s own arguments. */
export type PgQueryClass = new (config: unknown, values?: unknown, callback?: unknown) => PgQuery

/**
 * pg's `Query` class for `client` (`client.constructor.Query`), when it has the `prepare` a joined
 * query wraps; `undefined` otherwise (then claims queries are not joined).
 *
 * @example
 * ```ts
 * const Query = pgQueryClass(await pool.connect())
 * ```
 */
export function pgQueryClass(client: object): PgQueryClass | undefined {
  const Query: unknown = Reflect.get(client.constructor, 'Query')
  const prototype: unknown = typeof Query === 'function' ? Query.prototype : undefined
  return typeof prototype === 'object' &&
    prototype !== null &&
    typeof Reflect.get(prototype, 'prepare') === 'function' &&
    typeof Reflect.get(prototype, 'hasBeenParsed') === 'function'
    ? (Query as PgQueryClass)
    : undefined
}

/**
 * Calls `listener` with the transaction status (`'I'`, `'T'`, `'E'`) of every ReadyForQuery
 * `client` receives, before the client answers the query it completes; returns what stops it, or
 * `undefined` when the client has no such event (then nothing is called).
 *
 * @example
 * ```ts
 * const stop = onReadyForQuery(client, (status) => { last = status })
 * ```
 */
export function onReadyForQuery(
  client: object,
  listener: (status: string) => void,
): (() => void) | undefined {
  const connection: unknown = Reflect.get(client, 'connection')
  if (typeof connection !== 'object' || connection === null) return undefined
  const emitter = connection as Partial<
    Record<'prependListener' | 'off', (event: string, fn: (message: unknown) => void) => void>
  >
  if (typeof emitter.prependListener !== 'function' || typeof emitter.off !== 'function') return undefined
  const onMessage = (message: unknown) => {
    const status: unknown =
      typeof message === 'object' && message !== null ? Reflect.get(message, 'status') : undefined
    if (typeof status === 'string') listener(status)
  }
  emitter.prependListener.call(connection, 'readyForQuery', onMessage)
  return () => emitter.off?.call(connection, 'readyForQuery', onMessage)
}

/**
 * pg's `Query` for `client.query`'s arguments (`args`: text or config, values, callback), built as
 * `client.query` builds it, and what `client.query` would return for it: a promise of the result,
 * or `undefined` when a callback was given.
 *
 * @example
 * ```ts
 * const { query, result } = newPgQuery(Query, ['select $1::int', [1]])
 * client.query(query)
 * return result
 * ```
 */
export function newPgQuery(
  Query: PgQueryClass,
  args: readonly unknown[],
): { query: PgQuery; result: unknown } {
  const [config, values, callback] = args
  const query = new Query(config, values, callback)
  if (query.callback !== undefined) return { query, result: undefined }
  const result = new Promise((resolve, reject) => {
    query.callback = (error, answer) => (error ? reject(error) : resolve(answer))
  }).catch((error: unknown) => {
    // a stack that leads back to the application, as pg's own promise gives
    if (error instanceof Error) Error.captureStackTrace(error)
    throw error
  })
  return { query, result }
}

/**
 * Whether `config` (the first argument of `client.query`) is a query object of its own (pg's
 * `Query`, pg-cursor, pg-query-stream): pg sends it as it is.
 *
 * @example
 * ```ts
 * if (isSubmittable(args[0])) return client.query(...args)
 * ```
 */
export function isSubmittable(config: unknown): boolean {
  return typeof (config as { submit?: unknown } | null | undefined)?.submit === 'function'
}
