import { createClaims, isPgClaimsError } from '@pg-claims/core'
import { claimsAdapter, pgClaims } from '@pg-claims/prisma'
import { SignJWT } from 'jose'
import pg from 'pg'
import { PrismaClient } from './generated/prisma/client.js'

const secret = 'example-secret-that-is-at-least-32-bytes'

/** What the example shows, as lines; `log` prints each. Needs the generated client (src/generate.ts). */
export async function runExample(appUrl: string, log: (line: string) => void): Promise<void> {
  const claims = createClaims({
    secret,
    audience: 'example',
    roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  const pool = new pg.Pool({ connectionString: appUrl, max: 2, pipeline: true })
  const prisma = new PrismaClient({ adapter: claimsAdapter(pool) }).$extends(pgClaims(claims))
  try {
    const alice = prisma.withClaims(await sign({ sub: 'alice', role: 'authenticated' }))
    const bob = prisma.withClaims(await sign({ sub: 'bob', role: 'authenticated' }))

    // single operations, a nested write among them: each its own claims transaction
    await alice.note.create({ data: { body: 'buy milk', tags: { create: [{ name: 'home' }] } } })
    await bob.note.create({ data: { body: 'fix the bike' } })

    // an interactive transaction: the claims are applied once, with its BEGIN
    await alice.$transaction(async (tx) => {
      const note = await tx.note.create({ data: { body: 'call mum' } })
      await tx.tag.create({ data: { name: `for ${tx.$claims?.sub}`, noteId: note.id } })
    })

    for (const [name, db] of [
      ['alice', alice],
      ['bob', bob],
      ['anonymous', prisma.withClaims(null)],
    ] as const) {
      // a batch: both operations in one claims transaction
      const [notes, tags] = await db.$transaction([
        db.note.findMany({ select: { body: true }, orderBy: { id: 'asc' } }),
        db.tag.count(),
      ])
      log(`${name.padEnd(9)} sees ${JSON.stringify(notes.map((note) => note.body))} and ${tags} tag(s)`)
    }

    try {
      await prisma
        .withClaims(await sign({ sub: 'mallory', role: 'authenticated' }, 'x'.repeat(40)))
        .note.findMany()
      throw new Error('a forged token was accepted')
    } catch (error) {
      if (!isPgClaimsError(error)) throw error
      log(`forged    refused with ${error.code} (HTTP ${error.status}), before any connection was taken`)
    }

    const [after] = await prisma.$queryRaw<{ role: string; session: unknown }[]>`
      select current_user as role, auth.session() as session`
    log(`after     the base client runs as ${after?.role} with claims ${JSON.stringify(after?.session)}`)
  } finally {
    await prisma.$disconnect()
    await pool.end()
  }
}

function sign(payload: Record<string, unknown>, key = secret): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('example')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(key))
}
