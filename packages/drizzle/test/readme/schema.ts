import { authenticatedRole, crudPolicy, ownerCheck } from '@pg-claims/drizzle'
import { sql } from 'drizzle-orm'
import { pgTable, serial, text } from 'drizzle-orm/pg-core'

export const posts = pgTable(
  'posts',
  {
    id: serial().primaryKey(),
    authorId: text('author_id').notNull().default(sql`auth.user_id()`),
    title: text().notNull(),
  },
  // everyone signed in reads; only the author inserts, updates and deletes
  (t) => crudPolicy({ role: authenticatedRole, read: true, modify: ownerCheck(t.authorId) }),
)
