import { startScratchServer } from '@pg-claims/testing'
import { runDemo } from './run-demo.js'
import { createSchema } from './schema.js'

// An embedded PostgreSQL (or DATABASE_URL) with the roles anon, authenticated and authenticator.
const server = await startScratchServer()
try {
  await createSchema(server.adminUrl)
  console.log(
    `pg-claims demo on PostgreSQL ${server.version}: one table, row-level security from verified JWT claims\n`,
  )
  await runDemo(server.appUrl, (line) => console.log(line))
} finally {
  await server.stop()
}
