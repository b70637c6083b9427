import { randomBytes } from 'node:crypto'
import {
  bootstrapServer,
  roles,
  startEmbeddedServer,
  useExternalServer,
  withCredentials,
} from '@pg-claims/testing'

/** A database to run the example in: `DATABASE_URL`, or an embedded PostgreSQL started for it. */
export async function exampleDatabase(): Promise<{
  adminUrl: string
  appUrl: string
  stop(): Promise<void>
}> {
  const server = process.env.DATABASE_URL
    ? useExternalServer(process.env.DATABASE_URL)
    : await startEmbeddedServer()
  const password = randomBytes(12).toString('hex')
  // roles anon and authenticated (NOLOGIN), authenticator (LOGIN NOINHERIT) granted both
  await bootstrapServer(server.adminUrl, password)
  return {
    adminUrl: server.adminUrl,
    appUrl: withCredentials(server.adminUrl, roles.authenticator, password),
    stop: () => server.stop(),
  }
}
