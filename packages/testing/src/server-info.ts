/**
 * What the global setup tells test files about the PostgreSQL server it started (or reused).
 *
 * Test files read it with `inject('pgClaimsServer')`; {@link createTestDatabase} does that for you.
 */
export interface PgClaimsServer {
  /**
   * Connection URL of a role allowed to `CREATE DATABASE` and `CREATE ROLE` (a superuser for the
   * embedded and Testcontainers servers), pointing at the server's maintenance database.
   */
  adminUrl: string
  /** Password of the `authenticator` login role created by the bootstrap. */
  authenticatorPassword: string
  /** Host name or address the server listens on, as it appears in {@link PgClaimsServer.adminUrl}. */
  host: string
  /** TCP port the server listens on. */
  port: number
  /** The server's `server_version_num`, e.g. `180004` for 18.4; compare with `>= 160000` and the like. */
  serverVersion: number
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Provided by `@pg-claims/testing/global-setup`. */
    pgClaimsServer: PgClaimsServer
  }
}
