import { claimsPool, createClaims, isPgClaimsError } from '@pg-claims/core'
import { SignJWT } from 'jose'
import pg from 'pg'

const secret = 'demo-secret-that-is-at-least-32-bytes-long'

/** What the demo shows, as lines; `log` prints each. */
export async function runDemo(appUrl: string, log: (line: string) => void): Promise<void> {
  const claims = createClaims({
    secret,
    audience: 'demo',
    roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  const pool = new pg.Pool({ connectionString: appUrl, max: 2, pipeline: true })
  // pg reports errors of idle connections (a server restart, a shutdown) on the pool: always listen
  pool.on('error', (error) => log(`pool: ${error.message}`))
  const db = claimsPool(pool, claims)
  try {
    const alice = await sign({ sub: 'alice', role: 'authenticated' })
    const bob = await sign({ sub: 'bob', role: 'authenticated' })

    await db
      .withClaims(alice)
      .query(`insert into demo_notes (body) values ('alice: buy milk'), ('alice: call mum')`)
    await db.withClaims(bob).query(`insert into demo_notes (body) values ('bob: fix the bike')`)

    for (const [name, token] of [
      ['alice', alice],
      ['bob', bob],
      ['anonymous', null],
    ] as const) {
      const seen = await db.withClaims(token).transaction(async (client) => {
        const who = await client.query('select current_user as role, auth.user_id() as user_id')
        const notes = await client.query<{ body: string }>('select body from demo_notes order by id')
        return { ...who.rows[0], notes: notes.rows.map((row) => row.body) }
      })
      log(
        `${name.padEnd(9)} runs as ${seen.role.padEnd(13)} user_id=${String(seen.user_id).padEnd(5)} sees ${JSON.stringify(seen.notes)}`,
      )
    }

    const forged = `${alice.slice(0, -4)}AAAA`
    try {
      await db.withClaims(forged).query('select 1')
      throw new Error('a forged token was accepted')
    } catch (error) {
      if (!isPgClaimsError(error)) throw error
      log(`forged    refused with ${error.code} (HTTP ${error.status}), before any connection was taken`)
    }

    const { rows } = await pool.query('select current_user as role, auth.session() as session')
    log(
      `after     the pooled connection is back to ${rows[0].role} with claims ${JSON.stringify(rows[0].session)}`,
    )
  } finally {
    await pool.end()
  }
}

function sign(payload: Record<string, unknown>): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('demo')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret))
}
