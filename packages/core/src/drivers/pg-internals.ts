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
