import { claimsDrizzle } from '@pg-claims/drizzle'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { pgTable, serial, text } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { appClaims, run, setting } from './scenario.js'

const notes = pgTable('notes', {
  id: serial().primaryKey(),
  owner: text().notNull().default(sql`auth.user_id()`),
  body: text().notNull(),
})

const pool = new pg.Pool({ connectionString: setting('DATABASE_URL') })
const db = claimsDrizzle(drizzle(pool, { schema: { notes } }), appClaims())
await run({
  insert: async (token, body) => {
    await db.withClaims(token).insert(notes).values({ body })
  },
  list: (token) =>
    db
      .withClaims(token)
      .transaction((tx) => tx.select({ owner: notes.owner, body: notes.body }).from(notes).orderBy(notes.id)),
  close: () => pool.end(),
})
