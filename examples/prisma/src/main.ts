import { startScratchServer } from '@pg-claims/testing'
import { generateClient } from './generate.js'
import { createSchema } from './schema.js'

await generateClient()
// imported only now: it uses the client just generated
const { runExample } = await import('./run-example.js')

// An embedded PostgreSQL (or DATABASE_URL) with the roles anon, authenticated and authenticator.
const server = await startScratchServer()
try {
  await createSchema(server.adminUrl)
  console.log(
    `pg-claims with Prisma on PostgreSQL ${server.version}: row-level security from verified JWT claims\n`,
  )
  await runExample(server.appUrl, (line) => console.log(line))
} finally {
  await server.stop()
}
