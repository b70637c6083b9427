import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

/**
 * A running HTTP server: its base URL and how to stop it.
 *
 * @example
 * ```ts
 * const server = await listen(app, { port: 0 })
 * await fetch(`${server.url}/notes`)
 * await server.close()
 * ```
 */
export interface RunningServer {
  readonly url: string
  close(): Promise<void>
}

/**
 * Serves a Hono app with `@hono/node-server` on loopback (port 0: any free port), once listening.
 *
 * @example
 * ```ts
 * const server = await listen(createApp({ pool, claims }), { port: 3000 })
 * console.log(`listening on ${server.url}`)
 * ```
 */
export function listen(
  app: { readonly fetch: Parameters<typeof serve>[0]['fetch'] },
  options: { port: number; hostname?: string },
): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname }, (info: AddressInfo) => {
      server.off('error', reject)
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()))
          }),
      })
    })
    server.once('error', reject)
  })
}
