import { randomBytes } from 'node:crypto'
import { bootstrapServer } from './bootstrap.js'
import { hostAndPortOf, withCredentials } from './connection-url.js'
import { startEmbeddedServer } from './embedded-server.js'
import { useExternalServer } from './external-server.js'
import { roles, sharedAuthenticatorPassword } from './roles.js'
import type { PgClaimsServer } from './server-info.js'

/** A PostgreSQL server for a demo, an example or a benchmark, with the pg-claims roles in place. */
export interface ScratchServer {
  /** A superuser (or CREATEDB/CREATEROLE) connection string. */
  readonly adminUrl: string
  /** The `authenticator` login role's connection string: what an application connects as. */
  readonly appUrl: string
  /** `server_version`, e.g. `'18.4'`. */
  readonly version: string
  /** The server as {@link createTestDatabase} takes it (`server` option), for scratch databases. */
  readonly server: PgClaimsServer
  /** Stops the server if it was started here. */
  stop(): Promise<void>
}

/**
 * Starts an embedded PostgreSQL (or uses `DATABASE_URL`) and creates the roles `anon`,
 * `authenticated` and `authenticator` (LOGIN NOINHERIT, granted the other two).
 *
 * @example
 * ```ts
 * const scratch = await startScratchServer()
 * try { await runDemo(scratch.appUrl) } finally { await scratch.stop() }
 * ```
 */
export async function startScratchServer(): Promise<ScratchServer> {
  const databaseUrl = process.env.DATABASE_URL
  const started = databaseUrl ? useExternalServer(databaseUrl) : await startEmbeddedServer()
  const password = databaseUrl ? sharedAuthenticatorPassword : randomBytes(12).toString('hex')
  try {
    const { serverVersion, serverVersionText } = await bootstrapServer(started.adminUrl, password)
    return {
      adminUrl: started.adminUrl,
      appUrl: withCredentials(started.adminUrl, roles.authenticator, password),
      version: serverVersionText,
      server: {
        adminUrl: started.adminUrl,
        authenticatorPassword: password,
        serverVersion,
        ...hostAndPortOf(started.adminUrl),
      },
      stop: () => started.stop(),
    }
  } catch (error) {
    await started.stop()
    throw error
  }
}
