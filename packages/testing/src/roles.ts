/** Names of the roles the global setup creates on the test server. */
export const roles = {
  /** NOLOGIN role for unauthenticated requests. */
  anon: 'anon',
  /** NOLOGIN role for requests carrying a verified JWT. */
  authenticated: 'authenticated',
  /** LOGIN NOINHERIT role the application connects as; it may only `SET ROLE` to the two above. */
  authenticator: 'authenticator',
} as const

/**
 * `authenticator`'s password on a `DATABASE_URL` server. Fixed rather than random so that runs
 * sharing that server concurrently do not reset each other's password.
 */
export const sharedAuthenticatorPassword = 'pg-claims-authenticator'
