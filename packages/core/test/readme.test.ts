import { readFileSync } from 'node:fs'
import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET } from '@pg-claims/testing'
import pg from 'pg'
import { expect, it } from 'vitest'

async function quickStart(token: string | null) {
  // readme:body
  const claims = createClaims({
    secret: process.env.JWT_SECRET!,
    audience: 'api',
    roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  const db = claimsPool(new pg.Pool({ connectionString: process.env.DATABASE_URL, pipeline: true }), claims)

  // the token is verified before a connection is taken; a bad one throws PgClaimsError (401/403)
  const posts = await db.withClaims(token).transaction(async (client) => {
    const { rows } = await client.query('select * from posts') // RLS sees auth.user_id() = the token's sub
    return rows
  })
  // readme:end
  await db.pool.end()
  return posts
}

/** The README block's imports: the ones this file uses for the quick start (Biome merges them here). */
const README_IMPORTS = ["import { claimsPool, createClaims } from '@pg-claims/core'", "import pg from 'pg'"]

const region = (text: string, name: string) => {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line.trim() === `// readme:${name}`)
  const end = lines.findIndex((line, index) => index > start && line.trim() === '// readme:end')
  return lines.slice(start + 1, end)
}

it('the README quick start is this code, and it shows each caller only their rows', async () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8')
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const block = /```ts\n([\s\S]*?)```/.exec(readme)![1]!.trimEnd()
  const body = region(source, 'body').map((line) => line.slice(2))
  expect(block).toBe([...README_IMPORTS, '', ...body].join('\n'))

  const database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(`create table posts (id serial primary key, author_id text not null, title text not null);
        insert into posts (author_id, title) values ('alice', 'by alice'), ('bob', 'by bob');
        alter table posts enable row level security;
        grant select on posts to authenticated;
        create policy own_posts on posts to authenticated using (author_id = (select auth.user_id()));`)
    },
  })
  const env = { JWT_SECRET: process.env.JWT_SECRET, DATABASE_URL: process.env.DATABASE_URL }
  try {
    process.env.JWT_SECRET = TEST_SECRET
    process.env.DATABASE_URL = database.url
    const token = await signToken({ sub: 'alice', role: 'authenticated', aud: 'api' })
    expect((await quickStart(token)).map((row) => row.title)).toEqual(['by alice'])
    await expect(quickStart(await signToken({ sub: 'alice', role: 'authenticated' }))).rejects.toMatchObject({
      code: 'CLAIM_INVALID',
      status: 401,
    })
  } finally {
    Object.assign(process.env, env)
    await database.drop()
  }
})
