import { createClaims, isPgClaimsError } from '@pg-claims/core'
import { ClaimsKysely } from '@pg-claims/kysely'
import { SignJWT } from 'jose'
import { sql } from 'kysely'
import pg from 'pg'
import { auth, type Database } from './schema.js'

const secret = 'example-secret-that-is-at-least-32-bytes'

/** What the example shows, as lines; `log` prints each. */
export async function runExample(appUrl: string, log: (line: string) => void): Promise<void> {
  const claims = createClaims({
    secret,
    audience: 'example',
    roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  const db = new ClaimsKysely<Database>({
    pool: new pg.Pool({ connectionString: appUrl, max: 2, pipeline: true }),
    claims,
  })
  try {
    const alice = await sign({ sub: 'alice', role: 'authenticated', org_id: 1 })
    const bob = await sign({ sub: 'bob', role: 'authenticated', org_id: 1 })
    const carol = await sign({ sub: 'carol', role: 'authenticated', org_id: 2 })

    // a query on its own: its own claims transaction
    await db.withClaims(alice).insertInto('projects').values({ org_id: 1, name: 'apollo' }).execute()

    // a transaction: the claims ride with BEGIN
    await db
      .withClaims(bob)
      .transaction()
      .execute((trx) => trx.insertInto('projects').values({ org_id: 1, name: 'gemini' }).execute())

    // a controlled transaction: a savepoint keeps the claims
    const trx = await db.withClaims(carol).startTransaction().execute()
    await trx.insertInto('projects').values({ org_id: 2, name: 'vostok' }).execute()
    const beforeIntrusion = await trx.savepoint('before_intrusion').execute()
    const intrusion = await beforeIntrusion
      .insertInto('projects')
      .values({ org_id: 1, name: 'sputnik' })
      .execute()
      .then(
        () => 'accepted',
        (error: { code?: string }) => `refused (SQLSTATE ${error.code})`,
      )
    await (await beforeIntrusion.rollbackToSavepoint('before_intrusion').execute()).commit().execute()
    log(`carol     writing into organisation 1: ${intrusion}`)

    for (const [name, token] of [
      ['alice', alice],
      ['bob', bob],
      ['carol', carol],
      ['anonymous', null],
    ] as const) {
      const rows = await db
        .withClaims(token)
        .selectFrom('projects')
        .select(['name', 'owner', auth.userId().as('me'), auth.claim('org_id').as('org')])
        .orderBy('id')
        .execute()
      const seen = rows.map((row) => `${row.name} (${row.owner}${row.owner === row.me ? ', mine' : ''})`)
      log(`${name.padEnd(9)} sees ${JSON.stringify(seen)}`)
    }

    const forged = `${alice.slice(0, -4)}AAAA`
    const refusal = await db
      .withClaims(forged)
      .selectFrom('projects')
      .selectAll()
      .execute()
      .then(
        () => 'accepted',
        (error: unknown) => (isPgClaimsError(error) ? `${error.code} (HTTP ${error.status})` : String(error)),
      )
    log(`forged    refused with ${refusal}, before any connection was taken`)

    const { rows } = await sql<{ role: string; session: unknown }>`
      select current_user as role, auth.session() as session`.execute(db)
    log(`plain db  runs as ${rows[0]?.role} with claims ${JSON.stringify(rows[0]?.session)}`)
  } finally {
    await db.destroy()
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
