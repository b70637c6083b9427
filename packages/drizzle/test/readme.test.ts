import { readFileSync } from 'node:fs'
import { installHelpers } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api'
import { afterAll, beforeAll, expect, it } from 'vitest'
import * as schema from './readme/schema.js'

const source = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8').trimEnd()

let database: TestDatabase
let quickStart: typeof import('./readme/quick-start.js')

beforeAll(async () => {
  const statements = await generateMigration(generateDrizzleJson({}), generateDrizzleJson(schema))
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      for (const statement of statements) await admin.query(statement)
      await admin.query(`
        grant select, insert, update, delete on posts to authenticated;
        grant usage on sequence posts_id_seq to authenticated;
      `)
    },
  })
  process.env.JWT_SECRET = TEST_SECRET
  process.env.DATABASE_URL = database.url
  quickStart = await import('./readme/quick-start.js')
})

afterAll(async () => {
  await quickStart?.db.$client.end()
  await database?.drop()
})

it('shows the tested quick start, verbatim', () => {
  const readme = source('../README.md')
  expect(readme).toContain(`\`\`\`ts\n${source('./readme/schema.ts')}\n\`\`\``)
  expect(readme).toContain(`\`\`\`ts\n${source('./readme/quick-start.ts')}\n\`\`\``)
})

it('runs the quick start: only the author renames a post, everyone signed in reads it', async () => {
  const alice = await signToken({ sub: 'alice', role: 'authenticated' })
  const bob = await signToken({ sub: 'bob', role: 'authenticated' })
  const [post] = await quickStart.db
    .withClaims(alice)
    .insert(schema.posts)
    .values({ title: 'draft' })
    .returning()
  const id = post!.id

  expect(await quickStart.renamePost(bob, id, 'bob was here')).toEqual([
    { id, authorId: 'alice', title: 'draft' },
  ])
  expect(await quickStart.renamePost(alice, id, 'final')).toEqual([{ id, authorId: 'alice', title: 'final' }])
  await expect(quickStart.renamePost('not a token', id, 'x')).rejects.toMatchObject({
    code: 'TOKEN_MALFORMED',
  })
})
