import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createClaims, helpersSql } from '@pg-claims/core'
import { claimsDrizzle } from '@pg-claims/drizzle'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { applyMigrations, migrationsFolder } from '../src/migrate.js'
import { claim, posts } from '../src/schema.js'

const exampleDir = fileURLToPath(new URL('..', import.meta.url))
let out: string
let database: TestDatabase
let pool: pg.Pool

/** `npx drizzle-kit generate` on the example schema into `out`, offline (drizzle-kit 0.31 wants `--out` relative). */
async function generate(...args: string[]): Promise<void> {
  await promisify(execFile)(
    'npx',
    [
      'drizzle-kit',
      'generate',
      '--dialect',
      'postgresql',
      '--schema',
      './src/schema.ts',
      '--out',
      relative(exampleDir, out),
      ...args,
    ],
    // drizzle-kit loads the schema with require(): point @pg-claims/* at their TypeScript source
    { cwd: exampleDir, env: { ...process.env, NODE_OPTIONS: '--conditions=@pg-claims/source' } },
  )
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'pg-claims-drizzle-kit-'))
  await generate('--custom', '--name', 'pg_claims_helpers')
  await writeFile(join(out, '0000_pg_claims_helpers.sql'), helpersSql())
  await generate('--name', 'schema')
  await generate('--custom', '--name', 'grants')
  await copyFile(join(migrationsFolder, '0002_grants.sql'), join(out, '0002_grants.sql'))
  database = await createTestDatabase()
  await applyMigrations(database.adminUrl, out)
  pool = new pg.Pool({ connectionString: database.url, max: 2 })
}, 120_000)

afterAll(async () => {
  await pool?.end()
  await database?.drop()
  if (out !== undefined) await rm(out, { recursive: true, force: true })
})

const caller = async (sub: string, orgId: number) =>
  claimsDrizzle(
    drizzle(pool),
    createClaims({ secret: TEST_SECRET, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } }),
  ).withClaims(await signToken({ sub, role: 'authenticated', org_id: orgId }))

it('generates the policies declared in TypeScript, as the example ships them', async () => {
  const generated = await readFile(join(out, '0001_schema.sql'), 'utf8')
  expect(generated).toContain('ALTER TABLE "posts" ENABLE ROW LEVEL SECURITY;')
  expect(generated).toContain(
    'CREATE POLICY "crud-authenticated-policy-update" ON "posts" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ((select auth.user_id()) = "posts"."author_id") WITH CHECK ((select auth.user_id()) = "posts"."author_id");',
  )
  expect(generated).toContain(`USING ("posts"."org_id" = (select auth.claim('org_id')::pg_catalog.int4))`)
  expect(generated).toBe(await readFile(join(migrationsFolder, '0001_schema.sql'), 'utf8'))
})

it('enforces them once applied after the helpers', async () => {
  const alice = await caller('alice', 1)
  const bob = await caller('bob', 1)
  const carol = await caller('carol', 2)
  await alice.insert(posts).values([
    { title: 'draft', orgId: claim.claim('org_id') },
    { title: 'public', orgId: claim.claim('org_id'), published: true },
  ])
  const forged = carol.insert(posts).values({ title: 'as alice', authorId: 'alice' })
  const titles = async (db: typeof alice) =>
    (await db.select({ title: posts.title }).from(posts).orderBy(posts.id)).map((row) => row.title)
  const anonymous = claimsDrizzle(
    drizzle(pool),
    createClaims({ secret: TEST_SECRET, roles: { default: 'anon', allowed: ['anon'] } }),
  ).withClaims(null)

  await expect(forged).rejects.toThrow(
    expect.objectContaining({ cause: expect.objectContaining({ code: '42501' }) }),
  )
  expect({
    bobDeletes: (await bob.delete(posts).where(eq(posts.title, 'draft')).returning()).length,
    alice: await titles(alice),
    bob: await titles(bob),
    carol: await titles(carol),
    anonymous: await titles(anonymous),
  }).toEqual({
    bobDeletes: 0,
    alice: ['draft', 'public'],
    bob: ['draft', 'public'],
    carol: [],
    anonymous: ['public'],
  })
})
