import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { createWebSocketStream, WebSocketServer } from 'ws'

/** A running {@link startNeonBridge}. */
export interface NeonBridge {
  /**
   * The value for Neon's `neonConfig.wsProxy`: `127.0.0.1:<port>/v1`, no protocol. The driver
   * appends `?address=<host>:<port>` of the database it connects to.
   */
  readonly wsProxy: string
  /** Stops accepting WebSockets and closes every open one (and its TCP socket). */
  close(): Promise<void>
}

/**
 * Starts, on loopback, what Neon's `wsproxy` does in front of a Neon database: each WebSocket
 * (`ws://127.0.0.1:<port>/v1?address=<host>:<port>`) is piped, byte for byte, to a TCP connection
 * to that address, so `@neondatabase/serverless` speaks to the embedded PostgreSQL as it speaks to
 * Neon. Only loopback addresses are bridged. Point the driver at it with `neonConfig.wsProxy`,
 * `useSecureWebSocket = false`, `pipelineTLS = false` and `pipelineConnect = false` (the test
 * server does not take a cleartext password), as {@link neonPool} does.
 *
 * @example
 * ```ts
 * const bridge = await startNeonBridge()
 * neonConfig.wsProxy = bridge.wsProxy
 * // …
 * await bridge.close()
 * ```
 */
export async function startNeonBridge(): Promise<NeonBridge> {
  const http = createServer()
  const sockets = new WebSocketServer({ server: http })
  sockets.on('connection', (socket, request) => {
    const target = bridgedAddress(request.url)
    if (target === undefined) {
      socket.close(1008, 'address must be a loopback host:port')
      return
    }
    const websocket = createWebSocketStream(socket)
    const tcp = connect(target.port, target.host)
    websocket.pipe(tcp).pipe(websocket)
    const end = () => {
      websocket.destroy()
      tcp.destroy()
    }
    websocket.on('error', end).on('close', end)
    tcp.on('error', end).on('close', end)
  })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  http.unref()
  const address = http.address()
  if (address === null || typeof address === 'string') throw new Error('the Neon bridge has no TCP port')
  return {
    wsProxy: `127.0.0.1:${address.port}/v1`,
    close: async () => {
      for (const socket of sockets.clients) socket.terminate()
      sockets.close()
      http.close()
      await once(http, 'close')
    },
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

function bridgedAddress(url: string | undefined): { host: string; port: number } | undefined {
  const address = new URL(url ?? '/', 'http://bridge').searchParams.get('address') ?? ''
  const colon = address.lastIndexOf(':')
  const host = address.slice(0, colon)
  const port = Number(address.slice(colon + 1))
  if (colon < 0 || !LOOPBACK.has(host) || !Number.isInteger(port) || port <= 0) return undefined
  return { host: host.replace(/^\[|\]$/g, ''), port }
}
