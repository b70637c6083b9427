import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { withClient } from './admin-client.js'
import { withCredentials, withDatabase } from './connection-url.js'
import { roles } from './roles.js'
import type { PgClaimsServer } from './server-info.js'

/** A database created for one test file (or one test) by {@link createTestDatabase}. */
export interface TestDatabase {
  /** The database name: `pgc_` followed by 16 random hex digits. */
  name: string
  /** Connects as the server's admin role to this database. */
  adminUrl: string
  /** Connects as `authenticator` (LOGIN NOINHERIT, not a superuser) to this database. */
  url: string
  /**
   * Drops the database, first terminating every connection to it (so clients still connected will
   * see their connection closed, and emit `'error'` if idle). Safe to call more than once.
   */
  drop(): Promise<void>
}

/** Options of {@link createTestDatabase}. */
export interface CreateTestDatabaseOptions {
  /**
   * Runs once, connected as the admin role to the new database, before it is handed out: install
   * SQL helpers, create tables, policies and grants here. The client is closed afterwards.
   * If it throws, the database is dropped and the error rethrown.
   */
  setup?: ((admin: pg.Client) => Promise<void>) | undefined
  /**
   * The server to create the database on. Defaults to `inject('pgClaimsServer')`, which needs
   * vitest with `@pg-claims/testing/global-setup`; pass it explicitly to use this elsewhere.
   */
  server?: PgClaimsServer | undefined
}

/**
 * Creates a fresh, uniquely named database on the test server.
 *
 * `PUBLIC` loses its default privileges on the database (CONNECT, TEMPORARY) and CREATE on schema
 * `public`; `authenticator` gets CONNECT. The roles keep USAGE on schema `public`. Grants on the
 * tables you create are up to your `setup`.
 *
 * @example
 * ```ts
 * const db = await createTestDatabase({
 *   setup: async (admin) => {
 *     await admin.query('create table notes (id int); grant select on notes to authenticated')
 *   },
 * })
 * afterAll(() => db.drop())
 * ```
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  // vitest is imported only here, so that the rest of this package works outside a test run.
  const server = options.server ?? (await import('vitest')).inject('pgClaimsServer')
  if (server === undefined) {
    throw new Error(
      "No PostgreSQL test server: add '@pg-claims/testing/global-setup' (packages/testing/src/global-setup.ts) to vitest's globalSetup, or pass options.server.",
    )
  }
  const name = `pgc_${randomBytes(8).toString('hex')}`
  const database = pg.escapeIdentifier(name)
  await withClient(server.adminUrl, (admin) =>
    admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`),
  )
  const adminUrl = withDatabase(server.adminUrl, name)
  let dropped: Promise<void> | undefined
  const drop = () => {
    dropped ??= dropDatabase(server, name)
    return dropped
  }
  try {
    await withClient(adminUrl, async (admin) => {
      await admin.query(
        [
          `REVOKE ALL ON DATABASE ${database} FROM PUBLIC;`,
          `GRANT CONNECT ON DATABASE ${database} TO ${pg.escapeIdentifier(roles.authenticator)};`,
          'REVOKE CREATE ON SCHEMA public FROM PUBLIC;',
        ].join('\n'),
      )
      await options.setup?.(admin)
    })
  } catch (error) {
    await drop().catch((dropError: unknown) => {
      console.warn(`[pg-claims] could not drop test database ${name} after its setup failed:`, dropError)
    })
    throw error
  }
  return {
    name,
    adminUrl,
    url: withCredentials(adminUrl, roles.authenticator, server.authenticatorPassword),
    drop,
  }
}

/** Terminates the connections to `name` and drops it (`WITH (FORCE)` from PostgreSQL 13 on). */
async function dropDatabase(server: PgClaimsServer, name: string): Promise<void> {
  const database = pg.escapeIdentifier(name)
  await withClient(server.adminUrl, async (admin) => {
    if (server.serverVersion >= 130000) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      return
    }
    await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`).catch(() => {})
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    )
    await admin.query(`DROP DATABASE IF EXISTS ${database}`)
  })
}
