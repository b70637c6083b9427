import { createServer } from 'node:net'

/**
 * Asks the operating system for a TCP port that is free right now on `host`, by listening on port 0
 * and closing again. Another process could take it before you bind it; the window is tiny.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error(`Could not read the port the OS assigned: ${String(address)}`))
        return
      }
      server.close(() => resolve(address.port))
    })
  })
}
