// #region readme-imports
import { createClaims } from '@pg-claims/core'
import { ClaimsKysely, claimSql } from '@pg-claims/kysely'
import type { Generated } from 'kysely'
import pg from 'pg'

interface Database {
  notes: { id: Generated<number>; owner: Generated<string>; body: string }
}

// #endregion readme-imports

import { readFileSync } from 'node:fs'
import { TEST_SECRET } from '@pg-claims/testing'
import { afterEach, expect, it, vi } from 'vitest'
import { notesDatabase, tokenFor } from './fixture.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const self = readFileSync(new URL(import.meta.url), 'utf8')

/** The lines between `// #region name` and `// #endregion name` in this file, dedented. */
function region(name: string): string {
  const lines = self.split('\n')
  const body = lines.slice(
    lines.findIndex((line) => line.trim() === `// #region ${name}`) + 1,
    lines.findIndex((line) => line.trim() === `// #endregion ${name}`),
  )
  const indent = Math.min(...body.filter((line) => line.trim() !== '').map((line) => line.search(/\S/)))
  return body
    .map((line) => line.slice(indent))
    .join('\n')
    .trimEnd()
}

afterEach(() => {
  vi.unstubAllEnvs()
})

it('shows, as its quick start, exactly the code this test runs', () => {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(([, code]) => code)
  expect(blocks.slice(0, 2)).toEqual([`${region('readme-imports')}\n`, `${region('readme-usage')}\n`])
})

it('runs the quick start against a real database', async () => {
  const database = await notesDatabase()
  vi.stubEnv('JWT_SECRET', TEST_SECRET)
  vi.stubEnv('DATABASE_URL', database.url)
  const token = await tokenFor('alice')
  try {
    // #region readme-usage
    const claims = createClaims({
      secret: process.env.JWT_SECRET!,
      roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
    })
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
    const db = new ClaimsKysely<Database>({ pool, claims })
    const auth = claimSql({ org_id: 'integer' })

    // `token` is the request's bearer token, or null for an anonymous caller
    const user = db.withClaims(token)

    // a query on its own runs in a claims transaction of its own
    await user.insertInto('notes').values({ body: 'hello' }).execute()

    // a transaction carries the claims from BEGIN to COMMIT, in the same round trips as without
    const notes = await user.transaction().execute((trx) =>
      trx
        .selectFrom('notes')
        .select(['body', auth.userId().as('me'), auth.claim('org_id').as('org')])
        .execute(),
    )
    // → [{ body: 'hello', me: 'alice', org: null }]: RLS shows alice only her own notes
    // #endregion readme-usage
    expect(notes).toEqual([{ body: 'hello', me: 'alice', org: null }])
    await db.destroy()
  } finally {
    await database.drop()
  }
})
