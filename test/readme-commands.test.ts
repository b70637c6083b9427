// The root README's "Command line" block, run in bash as it is written (but for its `npm install`
// line: the scratch directory links the workspace's node_modules, where @pg-claims/cli is), and the
// token it mints accepted by the options of the README's quick start.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createClaims, helpersSql } from '@pg-claims/core'
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('\n## Command line\n'), readme.indexOf('\n## Development\n'))
const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!.trimEnd().split('\n')

let dir: string
let database: TestDatabase

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pg-claims-readme-commands-'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'readme-commands', private: true, type: 'module' }),
  )
  symlinkSync(fileURLToPath(new URL('../node_modules', import.meta.url)), join(dir, 'node_modules'), 'dir')
  mkdirSync(join(dir, 'migrations'))
  database = await createTestDatabase()
})

afterAll(async () => {
  await database?.drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

it('installs the CLI by its scoped name, then its commands run as written', async () => {
  expect(block[0]).toBe('npm install -D @pg-claims/cli')
  const script = [...block.slice(1), 'printf "\\n%s" "$TOKEN"'].join('\n')
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
    env: { ...process.env, ADMIN_DATABASE_URL: database.adminUrl, JWT_SECRET: TEST_SECRET },
  })
  const token = stdout.trimEnd().split('\n').at(-1)!

  // sql: the helpers migration; install: the helpers in the database
  expect(readFileSync(join(dir, 'migrations', '0001_pg_claims.sql'), 'utf8').trim()).toBe(helpersSql().trim())
  const admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query("select to_regprocedure('auth.user_id()') is not null as installed")
    expect(rows).toEqual([{ installed: true }])
  } finally {
    await admin.end()
  }
  // explain accepted the token under the options shown
  expect(stdout).toContain('authenticated')
  // the quick start's options accept the token the README mints
  const claims = createClaims({
    secret: TEST_SECRET,
    audience: 'api',
    roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  expect(await claims.resolve(token)).toMatchObject({
    role: 'authenticated',
    claims: { sub: 'alice', aud: 'api' },
  })
})
