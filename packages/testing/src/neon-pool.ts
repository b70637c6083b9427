import { neonConfig, Pool } from '@neondatabase/serverless'
import ws from 'ws'
import { countConnections } from './counting-pool.js'
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
 * Points Neon's global `neonConfig` at this process's {@link neonBridge}: `ws` as the WebSocket, no
 * TLS, no pipelined cleartext password. Every Neon `Pool` made afterwards in this process, including
 * one a library makes itself (`@prisma/adapter-neon`), reaches the test database through the bridge.
 *
 * @example
 * ```ts
 * await useNeonBridge()
 * const adapter = new PrismaNeon({ connectionString: database.url })
 * ```
 */
export async function useNeonBridge(): Promise<void> {
  const { wsProxy } = await neonBridge()
  neonConfig.webSocketConstructor = ws
  neonConfig.wsProxy = wsProxy
  neonConfig.useSecureWebSocket = false
  neonConfig.pipelineTLS = false
  neonConfig.pipelineConnect = false
}

/**
 * A Neon serverless `Pool` (`@neondatabase/serverless`, WebSocket transport) on the test database
 * `url`, reached through this process's {@link neonBridge} ({@link useNeonBridge}), that counts the
 * connections it opens ({@link countConnections}).
 *
 * @example
 * ```ts
 * const { pool, opened } = await countingNeonPool(database.url, 2)
 * await pool.query('select 1')
 * ```
 */
export async function countingNeonPool(url: string, max: number): Promise<{ pool: Pool; opened(): number }> {
  await useNeonBridge()
  const pool = new Pool({ connectionString: url, max })
  return { pool, opened: countConnections(pool) }
}
