import { neonConfig, Pool } from '@neondatabase/serverless'
import ws from 'ws'
import { type NeonBridge, startNeonBridge } from './neon-bridge.js'

let bridge: Promise<NeonBridge> | undefined

/**
 * This process's {@link startNeonBridge}, started on first use and shared by every Neon pool of
 * the process (its server does not keep the process alive).
 *
 * @example
 * ```ts
 * const { wsProxy } = await neonBridge()
 * ```
 */
export function neonBridge(): Promise<NeonBridge> {
  bridge ??= startNeonBridge()
  return bridge
}

/**
 * A Neon serverless `Pool` (`@neondatabase/serverless`, WebSocket transport) on the test database
 * `url`, reached through this process's {@link neonBridge}, that counts the connections it opens as
 * `countingPool` does. Sets Neon's global `neonConfig` for the bridge: `ws` as the WebSocket, no
 * TLS, no pipelined cleartext password.
 *
 * @example
 * ```ts
 * const { pool, opened } = await countingNeonPool(database.url, 2)
 * await pool.query('select 1')
 * ```
 */
export async function countingNeonPool(url: string, max: number): Promise<{ pool: Pool; opened(): number }> {
  const { wsProxy } = await neonBridge()
  neonConfig.webSocketConstructor = ws
  neonConfig.wsProxy = wsProxy
  neonConfig.useSecureWebSocket = false
  neonConfig.pipelineTLS = false
  neonConfig.pipelineConnect = false
  const pool = new Pool({ connectionString: url, max })
  let opened = 0
  pool.on('connect', () => {
    opened += 1
  })
  pool.on('error', () => {})
  return { pool, opened: () => opened }
}
