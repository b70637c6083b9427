import { connect, createServer, type Socket } from 'node:net'
import { withHostAndPort } from './connection-url.js'
import { DelayedWriter } from './delayed-writer.js'

/** Options of {@link startPgProxy}. */
export interface PgProxyOptions {
  /** Host of the PostgreSQL server to forward to. */
  upstreamHost: string
  /** Port of the PostgreSQL server to forward to. */
  upstreamPort: number
  /**
   * Delay, in milliseconds, added to every chunk the client sends (order is kept), to simulate
   * network latency. `0` or absent: forward at once.
   */
  delayMs?: number | undefined
}

/** A running proxy made by {@link startPgProxy}. */
export interface PgProxy {
  /** Address the proxy listens on (always loopback). */
  readonly host: string
  /** Port the proxy listens on. */
  readonly port: number
  /** `base` (a PostgreSQL URL) with its host and port replaced by the proxy's. */
  connectionString(base: string): string
  /**
   * Network flights the clients sent since the proxy started or since {@link PgProxy.reset}, summed
   * over all connections. A flight is a burst of client bytes between two server replies: however
   * many statements a client pipelines before the server answers, they are one flight; a client
   * that waits for an answer before it sends again starts a new one. This is what a network round
   * trip costs, whatever the protocol messages.
   */
  flights(): number
  /** Sets the flight count back to zero. */
  reset(): void
  /**
   * The flights `work` takes: the count is reset, `work` runs, and what it sent is counted. Run
   * `work` once before (warm) when a first run would connect, verify a token or read settings.
   *
   * @example
   * ```ts
   * expect(await proxy.flightsOf(() => pool.query('select 1'))).toBe(1)
   * ```
   */
  flightsOf(work: () => Promise<unknown>): Promise<number>
  /** Stops listening and closes every connection through the proxy. */
  close(): Promise<void>
}

/**
 * Starts a TCP proxy on a free loopback port in front of a PostgreSQL server. It forwards bytes
 * unchanged in both directions and counts flights: per connection, client data that arrives after
 * the server last sent something (or first on the connection) starts a flight.
 *
 * @example
 * ```ts
 * const proxy = await startPgProxy({ upstreamHost: server.host, upstreamPort: server.port, delayMs: 1 })
 * const client = new pg.Client(proxy.connectionString(db.url))
 * ```
 */
export async function startPgProxy(options: PgProxyOptions): Promise<PgProxy> {
  const { upstreamHost, upstreamPort } = options
  const delayMs = options.delayMs ?? 0
  const host = '127.0.0.1'
  const sockets = new Set<Socket>()
  const writers = new Set<DelayedWriter>()
  let flights = 0

  const server = createServer((client) => {
    const upstream = connect({ host: upstreamHost, port: upstreamPort })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.setNoDelay(true)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    // true from the client's first byte of a flight until the server's next byte
    let sending = false
    const writer = delayMs > 0 ? new DelayedWriter(upstream, delayMs) : undefined
    if (writer) {
      writers.add(writer)
      upstream.on('close', () => {
        writer.cancel()
        writers.delete(writer)
      })
    }

    client.on('data', (chunk: Buffer) => {
      if (!sending) {
        sending = true
        flights++
      }
      if (writer) writer.write(chunk)
      else forward(client, upstream, chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      sending = false
      forward(upstream, client, chunk)
    })
    client.on('end', () => (writer ? writer.end() : upstream.end()))
    upstream.on('end', () => client.end())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port: 0 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('The proxy has no TCP address.')
  const { port } = address

  return {
    host,
    port,
    connectionString: (base) => withHostAndPort(base, host, port),
    flights: () => flights,
    reset: () => {
      flights = 0
    },
    flightsOf: async (work) => {
      flights = 0
      await work()
      return flights
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        for (const writer of writers) writer.cancel()
        for (const socket of sockets) socket.destroy()
      }),
  }
}

/** Writes `chunk` from `source` to `target`, pausing `source` while `target` is full. */
function forward(source: Socket, target: Socket, chunk: Buffer): void {
  if (target.destroyed) return
  if (!target.write(chunk)) {
    source.pause()
    target.once('drain', () => source.resume())
  }
}
