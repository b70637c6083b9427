import { exampleDatabase } from './database.js'
import { runExample } from './run-example.js'
import { createSchema } from './schema.js'

const database = await exampleDatabase()
try {
  await createSchema(database.adminUrl)
  console.log('pg-claims on postgres.js (prepare: false): Drizzle and raw SQL under row-level security\n')
  await runExample(database.appUrl, (line) => console.log(line))
} finally {
  await database.stop()
}
