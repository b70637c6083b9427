/** Names of the roles the global setup creates on the test server. */
export const roles = {
  /** NOLOGIN role for unauthenticated requests. */
  anon: 'anon',
  /** NOLOGIN role for requests carrying a verified JWT. */
  authenticated: 'authenticated',
  /** LOGIN NOINHERIT role the application connects as; it may only `SET ROLE` to the two above. */
  authenticator: 'authenticator',
} as const
