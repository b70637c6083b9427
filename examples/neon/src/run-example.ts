import { Pool } from '@neondatabase/serverless'
import { claimsPool, createClaims, isPgClaimsError } from '@pg-claims/core'
import { ClaimsKysely } from '@pg-claims/kysely'
import { SignJWT } from 'jose'
import type { Database } from './schema.js'

const secret = 'example-secret-that-is-at-least-32-bytes'

/**
 * What the example shows, as lines; `log` prints each. `databaseUrl` is a Neon connection string
 * (or, locally, any PostgreSQL reached through a Neon WebSocket proxy: see main.ts).
 */
export async function runExample(databaseUrl: string, log: (line: string) => void): Promise<void> {
  const claims = createClaims({
    secret,
    audience: 'example',
    roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  // Neon's Pool goes wherever a pg pool goes: one pool, two views of it
  const pool = new Pool({ connectionString: databaseUrl, max: 2 })
  // as with pg: an idle connection the server closes (a restart) is reported here, not thrown;
  // after end(), Neon's WebSockets may still be closing when the server goes away
  let ended = false
  pool.on('error', (error: Error) => {
    if (!ended) log(`pool: idle connection closed (${error.message})`)
  })
  const db = new ClaimsKysely<Database>({ pool, claims })
  const plain = claimsPool(pool, claims)
  try {
    const alice = await sign({ sub: 'alice', role: 'authenticated' })
    const bob = await sign({ sub: 'bob', role: 'authenticated' })

    // a Kysely query on its own, and a transaction: each a claims transaction
    await db.withClaims(alice).insertInto('notes').values({ body: 'buy milk' }).execute()
    await db
      .withClaims(bob)
      .transaction()
      .execute((trx) =>
        trx
          .insertInto('notes')
          .values([{ body: 'call mum' }, { body: 'water the plants' }])
          .execute(),
      )

    for (const [name, token] of [
      ['alice', alice],
      ['bob', bob],
      ['anonymous', null],
    ] as const) {
      const seen = await db
        .withClaims(token)
        .selectFrom('notes')
        .select('body')
        .orderBy('id')
        .execute()
        .then(
          (rows) => `sees ${JSON.stringify(rows.map((row) => row.body))}`,
          // anon has no grant on notes: refused by PostgreSQL, not filtered
          (error: { code?: string }) => `refused (SQLSTATE ${error.code})`,
        )
      log(`${name.padEnd(9)} ${seen}`)
    }

    // plain SQL on the same pool, through claimsPool
    const { rows } = await plain
      .withClaims(bob)
      .query<{ role: string; uid: string }>('select current_user::text as role, auth.user_id() as uid')
    log(`pool      runs as ${rows[0]?.role} for ${rows[0]?.uid}`)

    const forged = `${alice.slice(0, -4)}AAAA`
    const refusal = await plain
      .withClaims(forged)
      .query('select 1')
      .then(
        () => 'accepted',
        (error: unknown) => (isPgClaimsError(error) ? `${error.code} (HTTP ${error.status})` : String(error)),
      )
    log(`forged    refused with ${refusal}, before any connection was taken`)
  } finally {
    ended = true
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
