import { claimsSql, createClaims, isPgClaimsError } from '@pg-claims/core'
import { claimsDrizzle } from '@pg-claims/drizzle'
import { asc } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/postgres-js'
import { SignJWT } from 'jose'
import postgres from 'postgres'
import { notes } from './schema.js'

const secret = 'example-secret-that-is-at-least-32-bytes'

/** What the example shows, as lines; `log` prints each. */
export async function runExample(appUrl: string, log: (line: string) => void): Promise<void> {
  const claims = createClaims({
    secret,
    audience: 'example',
    roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  // prepare: false, as Supabase's transaction pooler (and PgBouncer in transaction mode) needs
  const sql = postgres(appUrl, { prepare: false, max: 2, onnotice: () => {} })
  const db = claimsDrizzle(drizzle({ client: sql }), claims)
  const raw = claimsSql(sql, claims)
  try {
    const alice = await sign({ sub: 'alice', role: 'authenticated' })
    const bob = await sign({ sub: 'bob', role: 'authenticated' })

    // a Drizzle query on its own: its own claims transaction
    await db.withClaims(alice).insert(notes).values({ owner: 'alice', body: 'buy milk' })
    // a Drizzle transaction: the claims ride with BEGIN
    await db.withClaims(bob).transaction(async (tx) => {
      await tx.insert(notes).values({ owner: 'bob', body: 'call mum' })
      await tx.insert(notes).values({ owner: 'bob', body: 'water the plants' })
    })
    // the policy's WITH CHECK refuses a row written for someone else
    const impersonation = await db
      .withClaims(alice)
      .insert(notes)
      .values({ owner: 'bob', body: 'from alice' })
      .then(
        () => 'accepted',
        (error: { cause?: { code?: string } }) => `refused (SQLSTATE ${error.cause?.code})`,
      )
    log(`alice     writing as bob: ${impersonation}`)

    for (const [name, token] of [
      ['alice', alice],
      ['bob', bob],
      ['anonymous', null],
    ] as const) {
      const seen = await db
        .withClaims(token)
        .select({ body: notes.body })
        .from(notes)
        .orderBy(asc(notes.id))
        .then(
          (rows) => `sees ${JSON.stringify(rows.map((row) => row.body))}`,
          // anon has no grant on notes: refused by PostgreSQL, not filtered
          (error: { cause?: { code?: string } }) => `refused (SQLSTATE ${error.cause?.code})`,
        )
      log(`${name.padEnd(9)} ${seen}`)
    }

    // postgres.js's own tagged templates, through claimsSql
    const [me] = await raw
      .withClaims(bob)
      .query((sql) => sql`select current_user::text as role, auth.user_id() as uid`)
    log(`raw sql   runs as ${me?.role} for ${me?.uid}`)

    const forged = `${alice.slice(0, -4)}AAAA`
    const refusal = await raw
      .withClaims(forged)
      .query((sql) => sql`select 1`)
      .then(
        () => 'accepted',
        (error: unknown) => (isPgClaimsError(error) ? `${error.code} (HTTP ${error.status})` : String(error)),
      )
    log(`forged    refused with ${refusal}, before any connection was reserved`)
  } finally {
    await sql.end()
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
