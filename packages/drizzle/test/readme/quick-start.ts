import { createClaims } from '@pg-claims/core'
import { claimsDrizzle } from '@pg-claims/drizzle'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import * as schema from './schema.js'

const claims = createClaims({
  secret: process.env.JWT_SECRET!,
  roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
})
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
export const db = claimsDrizzle(drizzle(pool, { schema }), claims)

// In a request handler. The token is verified before a connection is taken; a bad one throws
// PgClaimsError (401/403). RLS sees auth.user_id() = the token's sub.
export async function renamePost(token: string | null, id: number, title: string) {
  const caller = db.withClaims(token)
  await caller.transaction(async (tx) => {
    await tx.update(schema.posts).set({ title }).where(eq(schema.posts.id, id)) // the author's row only
  })
  return caller.query.posts.findMany({ orderBy: schema.posts.id }) // its own claims transaction
}
