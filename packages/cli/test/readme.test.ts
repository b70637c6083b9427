// The commands of this package's README, run in bash as they are written: `pg-claims` is the bin the
// workspace links (node_modules/.bin), as `npm install -D @pg-claims/cli` links it in an app. Two
// placeholders are filled in: `<command>` (each command) and the example database URL (a test
// database's admin URL).
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { helpersSql } from '@pg-claims/core'
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map(([, code]) => code!.trimEnd())
const modules = fileURLToPath(new URL('../../../node_modules', import.meta.url))
const EXAMPLE_URL = 'postgres://owner@localhost/app'

let dir: string
let database: TestDatabase

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pg-claims-cli-readme-'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'cli-readme', private: true, type: 'module' }),
  )
  symlinkSync(modules, join(dir, 'node_modules'), 'dir')
  mkdirSync(join(dir, 'migrations'))
  database = await createTestDatabase()
})

afterAll(async () => {
  await database?.drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function bash(script: string): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
    env: {
      PATH: `${join(modules, '.bin')}${delimiter}${process.env.PATH}`,
      HOME: process.env.HOME ?? dir,
      JWT_SECRET: TEST_SECRET,
    },
  })
  return stdout
}

it('shows six command blocks: npx, sql, install, token, explain, lint', () => {
  expect(blocks).toHaveLength(6)
  expect(blocks[5]!).toMatch(/^pg-claims lint /)
  expect(blocks[0]!.split('\n')[0]).toBe('npm install -D @pg-claims/cli')
})

it('runs npx pg-claims --help, <command> --help and --version', async () => {
  const lines = blocks[0]!.split('\n').slice(1)
  for (const line of lines.filter((text) => !text.includes('<command>'))) await bash(line)
  const perCommand = lines.find((text) => text.includes('<command>'))!
  for (const command of ['sql', 'install', 'token', 'explain']) {
    expect(await bash(perCommand.replace('<command>', command))).toContain(command)
  }
})

it('writes the helpers migration for another schema', async () => {
  await bash(blocks[1]!)
  const written = readFileSync(join(dir, 'migrations', '0001_pg_claims.sql'), 'utf8')
  expect(written.trim()).toBe(helpersSql({ schema: 'claims' }).trim())
})

it('installs the helpers with DATABASE_URL', async () => {
  expect(blocks[2]).toContain(EXAMPLE_URL)
  await bash(blocks[2]!.replace(EXAMPLE_URL, database.adminUrl))
  const admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query("select to_regprocedure('auth.user_id()') is not null as installed")
    expect(rows).toEqual([{ installed: true }])
  } finally {
    await admin.end()
  }
})

it('mints a token that explain accepts with the options shown, printing what the README shows', async () => {
  const explain = blocks[4]!.split('\n')
  expect(explain[0]).toMatch(/^\$ pg-claims explain /)
  const output = await bash(`${blocks[3]}\n${explain[0]!.slice(2)}`)
  // the README's sample output, line by line, but for the times (iat, exp) and the elided SQL
  const expected = explain.slice(1).filter((line) => !/iat|exp|…/.test(line))
  const actual = output
    .trimEnd()
    .split('\n')
    .filter((line) => !/iat|exp|set_config/.test(line))
  expect(actual).toEqual(expected)
})

it('lints a database with the command shown, printing JSON findings', async () => {
  const { stdout } = await promisify(execFile)('bash', ['-uo', 'pipefail', '-c', `${blocks[5]} || true`], {
    cwd: dir,
    env: {
      PATH: `${join(modules, '.bin')}${delimiter}${process.env.PATH}`,
      HOME: process.env.HOME ?? dir,
      DATABASE_URL: database.url,
    },
  })
  const report = JSON.parse(stdout) as { failOn: string; findings: unknown[] }
  expect(report.failOn).toBe('warning')
  expect(Array.isArray(report.findings)).toBe(true)
})
