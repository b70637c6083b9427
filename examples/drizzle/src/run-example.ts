import { createClaims, isPgClaimsError } from '@pg-claims/core'
import { claimsDrizzle } from '@pg-claims/drizzle'
import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { SignJWT } from 'jose'
import pg from 'pg'
import { claim, posts } from './schema.js'

const secret = 'example-secret-that-is-at-least-32-bytes-long'

/** What the example shows, as lines; `log` prints each. */
export async function runExample(appUrl: string, log: (line: string) => void): Promise<void> {
  const claims = createClaims({
    secret,
    audience: 'example',
    roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  const pool = new pg.Pool({ connectionString: appUrl, max: 2, pipeline: true })
  // The pool drops an idle connection the server closes (restart, failover, shutdown); without a
  // listener, its 'error' event would end the process.
  pool.on('error', () => {})
  const db = claimsDrizzle(drizzle(pool, { schema: { posts } }), claims)
  try {
    const alice = await sign({ sub: 'alice', role: 'authenticated', org_id: 1 })
    const bob = await sign({ sub: 'bob', role: 'authenticated', org_id: 1 })
    const carol = await sign({ sub: 'carol', role: 'authenticated', org_id: 2 })

    // direct queries: each runs in its own claims transaction
    await db
      .withClaims(alice)
      .insert(posts)
      .values([
        { title: 'alice: draft', orgId: claim.claim('org_id') },
        { title: 'alice: hello world', orgId: claim.claim('org_id'), published: true },
      ])
    await db
      .withClaims(carol)
      .insert(posts)
      .values({ title: 'carol: notes', orgId: claim.claim('org_id') })

    for (const [name, token] of [
      ['alice', alice],
      ['bob', bob],
      ['carol', carol],
      ['anonymous', null],
    ] as const) {
      const titles = await db.withClaims(token).select({ title: posts.title }).from(posts).orderBy(posts.id)
      log(`${name.padEnd(9)} sees ${JSON.stringify(titles.map((row) => row.title))}`)
    }

    // a transaction: bob may read his organization's posts, not change them
    const changed = await db.withClaims(bob).transaction(async (tx) => {
      const updated = await tx
        .update(posts)
        .set({ title: 'bob was here' })
        .where(eq(posts.title, 'alice: draft'))
        .returning()
      const [who] = (await tx.execute(sql`select current_user as role, auth.user_id() as user_id`)).rows
      return { updated: updated.length, who }
    })
    log(`bob       updates ${changed.updated} of alice's posts, as ${JSON.stringify(changed.who)}`)

    try {
      await db
        .withClaims(`${alice.slice(0, -4)}AAAA`)
        .select()
        .from(posts)
      throw new Error('a forged token was accepted')
    } catch (error) {
      if (!isPgClaimsError(error)) throw error
      log(`forged    refused with ${error.code} (HTTP ${error.status}), before any connection was taken`)
    }

    const [after] = (await db.execute(sql`select current_user as role, auth.session() as session`)).rows
    log(`after     the plain db runs as ${String(after?.role)} with claims ${JSON.stringify(after?.session)}`)
  } finally {
    await pool.end()
  }
}

function sign(payload: Record<string, unknown>): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('example')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret))
}
