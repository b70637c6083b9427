import { demoDatabase } from './database.js'
import { runDemo } from './run-demo.js'
import { createSchema } from './schema.js'

const database = await demoDatabase()
try {
  await createSchema(database.adminUrl)
  console.log('pg-claims demo: one table, row-level security from verified JWT claims\n')
  await runDemo(database.appUrl, (line) => console.log(line))
} finally {
  await database.stop()
}
