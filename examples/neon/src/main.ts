import { startScratchServer, useNeonBridge } from '@pg-claims/testing'
import { runExample } from './run-example.js'
import { createSchema } from './schema.js'

// Locally there is no Neon endpoint: a loopback WebSocket-to-TCP bridge stands in for Neon's
// proxy and sets `neonConfig` for it. Against Neon itself, leave `neonConfig` as it is.
await useNeonBridge()
// An embedded PostgreSQL (or DATABASE_URL) with the roles anon, authenticated and authenticator.
const database = await startScratchServer()
try {
  await createSchema(database.adminUrl)
  console.log("pg-claims on Neon's serverless Pool: Kysely and plain queries under row-level security\n")
  await runExample(database.appUrl, (line) => console.log(line))
} finally {
  await database.stop()
}
