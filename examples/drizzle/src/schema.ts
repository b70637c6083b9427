import { anonRole, authenticatedRole, claimSql, crudPolicy, ownerCheck } from '@pg-claims/drizzle'
import { sql } from 'drizzle-orm'
import { boolean, integer, pgPolicy, pgTable, serial, text } from 'drizzle-orm/pg-core'

/** The claims this app's policies and queries read, with their SQL types. */
export const claim = claimSql({ org_id: 'integer' })

/**
 * Posts: each author reads and writes their own; members of an organization read its posts;
 * anonymous callers read published ones. drizzle-kit turns the policies into SQL.
 */
export const posts = pgTable(
  'posts',
  {
    id: serial().primaryKey(),
    authorId: text('author_id').notNull().default(sql`auth.user_id()`),
    orgId: integer('org_id'),
    title: text().notNull(),
    published: boolean().notNull().default(false),
  },
  (t) => [
    ...crudPolicy({ role: authenticatedRole, read: ownerCheck(t.authorId), modify: ownerCheck(t.authorId) }),
    pgPolicy('org-members-read', {
      for: 'select',
      to: authenticatedRole,
      using: sql`${t.orgId} = ${claim.claim('org_id')}`,
    }),
    pgPolicy('anyone-reads-published', { for: 'select', to: anonRole, using: sql`${t.published}` }),
  ],
)
