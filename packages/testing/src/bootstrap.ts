import pg from 'pg'
import { withClient } from './admin-client.js'
import { roles } from './roles.js'

/** Facts about the server that {@link bootstrapServer} learnt while it was connected. */
export interface BootstrapResult {
  /** `server_version_num`, e.g. `180004`. */
  serverVersion: number
  /** `server_version`, e.g. `'18.4'`. */
  serverVersionText: string
}

/** `CREATE ROLE` inside a DO block that does nothing if the role exists (or appears concurrently). */
function createRoleIfMissing(name: string, attributes: string): string {
  return `DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${pg.escapeLiteral(name)}) THEN
    CREATE ROLE ${pg.escapeIdentifier(name)} ${attributes};
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;`
}

/**
 * Throws, naming what is missing and how to grant it, unless the connected role is a superuser or has
 * CREATEDB (for test databases), CREATEROLE (for the bootstrap) and membership in
 * `pg_signal_backend` (so that dropping a test database can end the connections other roles left open).
 */
async function checkAdminPrivileges(client: pg.Client): Promise<void> {
  const result = await client.query<{
    name: string
    superuser: boolean
    createdb: boolean
    createrole: boolean
    signal: boolean
  }>(
    `SELECT rolname AS name, rolsuper AS superuser, rolcreatedb AS createdb, rolcreaterole AS createrole,
            pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal
       FROM pg_catalog.pg_roles WHERE rolname = current_user`,
  )
  const role = result.rows[0]!
  if (role.superuser) return
  const missing = [
    ...(role.createdb ? [] : ['CREATEDB']),
    ...(role.createrole ? [] : ['CREATEROLE']),
    ...(role.signal ? [] : ['membership in pg_signal_backend']),
  ]
  if (missing.length === 0) return
  const name = pg.escapeIdentifier(role.name)
  const fixes = [
    ...(role.createdb && role.createrole ? [] : [`ALTER ROLE ${name} CREATEDB CREATEROLE;`]),
    ...(role.signal ? [] : [`GRANT pg_signal_backend TO ${name};`]),
  ]
  throw new Error(
    `The test server's admin role ${name} lacks ${missing.join(', ')}: it must create databases and roles, and end other roles' connections when dropping a test database. As a superuser, run: ${fixes.join(' ')}`,
  )
}

/**
 * Creates, idempotently, the roles every pg-claims test relies on: `anon` and `authenticated`
 * (NOLOGIN), `authenticator` (LOGIN NOINHERIT with `authenticatorPassword`) and the grants of the
 * first two to the third. Safe to run again on a server that already has them, e.g. a reused
 * `DATABASE_URL`; it then only resets `authenticator`'s password and attributes.
 *
 * @param adminUrl a superuser, or a role with CREATEDB, CREATEROLE and membership in `pg_signal_backend`
 * @throws if the admin role lacks one of those, or if `authenticator` exists as a superuser (it
 *   would bypass row-level security)
 */
export async function bootstrapServer(
  adminUrl: string,
  authenticatorPassword: string,
): Promise<BootstrapResult> {
  return withClient(adminUrl, async (client) => {
    const version = await client.query<{ num: string; text: string }>(
      "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text",
    )
    const row = version.rows[0]!
    const serverVersion = Number(row.num)
    await checkAdminPrivileges(client)
    const anon = pg.escapeIdentifier(roles.anon)
    const authenticated = pg.escapeIdentifier(roles.authenticated)
    const authenticator = pg.escapeIdentifier(roles.authenticator)
    // From PostgreSQL 16 on, whether a member inherits a granted role is an option of each grant
    // (its default taken from the member's INHERIT attribute when granted), so spell it out.
    const inheritOption = serverVersion >= 160000 ? ' WITH INHERIT FALSE' : ''
    await client.query(
      [
        createRoleIfMissing(roles.anon, 'NOLOGIN'),
        createRoleIfMissing(roles.authenticated, 'NOLOGIN'),
        createRoleIfMissing(roles.authenticator, 'LOGIN NOINHERIT'),
        `ALTER ROLE ${authenticator} WITH LOGIN NOINHERIT PASSWORD ${pg.escapeLiteral(authenticatorPassword)};`,
        `GRANT ${anon}, ${authenticated} TO ${authenticator}${inheritOption};`,
      ].join('\n'),
    )
    const check = await client.query<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1',
      [roles.authenticator],
    )
    if (check.rows[0]?.rolsuper !== false) {
      throw new Error(
        `Role "${roles.authenticator}" on this server is a superuser, so row-level security would not apply to it. Use another server or drop that role.`,
      )
    }
    return { serverVersion, serverVersionText: row.text }
  })
}
