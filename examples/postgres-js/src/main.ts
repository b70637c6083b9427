import { startScratchServer } from '@pg-claims/testing'
import { runExample } from './run-example.js'
import { createSchema } from './schema.js'

// An embedded PostgreSQL (or DATABASE_URL) with the roles anon, authenticated and authenticator.
const database = await startScratchServer()
try {
  await createSchema(database.adminUrl)
  console.log('pg-claims on postgres.js (prepare: false): Drizzle and raw SQL under row-level security\n')
  await runExample(database.appUrl, (line) => console.log(line))
} finally {
  await database.stop()
}
