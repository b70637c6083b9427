// biome-ignore-all lint/suspicious/noUndeclaredEnvVars: the README code reads its settings from the environment, as an app does
// The README's "Database setup", run as it is written: its SQL as the admin, its shell commands in
// bash, its application code (this file's `readme:setup` region, compared with the README's block)
// as `authenticator`. The roles it creates are server-wide and the shared test server already has
// them, so this test starts a PostgreSQL of its own, with no roles but the superuser.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { type StartedServer, startEmbeddedServer, TEST_SECRET, withCredentials } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

async function app() {
  // readme:setup
  const claims = createClaims({
    secret: process.env.JWT_SECRET!,
    audience: 'api',
    roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
  })
  const db = claimsPool(new pg.Pool({ connectionString: process.env.DATABASE_URL }), claims)

  const alice = db.withClaims(process.env.TOKEN!)
  await alice.query('insert into notes (body) values ($1)', ['hello']) // owner = 'alice', from the token
  const { rows } = await alice.query('select owner, body from notes') // alice's notes, and only hers
  // readme:end
  return { db, rows }
}

const README_IMPORTS = ["import { claimsPool, createClaims } from '@pg-claims/core'", "import pg from 'pg'"]
const root = fileURLToPath(new URL('..', import.meta.url))

/** The fenced blocks of the section headed `heading`, in order, as [language, text]. */
function sectionBlocks(markdown: string, heading: string): Array<[string, string]> {
  const start = markdown.indexOf(`\n${heading}\n`)
  const end = markdown.indexOf('\n## ', start + heading.length + 2)
  const section = markdown.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map(([, lang, text]) => [
    lang!,
    text!.trimEnd(),
  ])
}

const readmeBlocks = sectionBlocks(
  readFileSync(new URL('../README.md', import.meta.url), 'utf8'),
  '## Database setup',
)

async function bash(script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: root,
    env: { ...process.env, ...env },
  })
  return stdout
}

describe('the README database setup', () => {
  let server: StartedServer
  let appUrl: string
  const secret = { JWT_SECRET: TEST_SECRET }

  beforeAll(async () => {
    server = await startEmbeddedServer()
    appUrl = withCredentials(server.adminUrl, 'authenticator', 'change-me')
  })
  afterAll(() => server?.stop())

  it('has its steps in order: roles, helpers, table, token, application', () => {
    expect(readmeBlocks.map(([lang]) => lang)).toEqual(['sql', 'sh', 'sql', 'sh', 'ts'])
  })

  it('the core README carries the same setup, block for block', () => {
    const core = readFileSync(new URL('../packages/core/README.md', import.meta.url), 'utf8')
    expect(sectionBlocks(core, '## Database setup')).toEqual(readmeBlocks)
  })

  it('runs as written: each caller sees and writes only their own rows', async () => {
    const [[, roles], [, install], [, table], [, token], [, code]] = readmeBlocks as [
      [string, string],
      [string, string],
      [string, string],
      [string, string],
      [string, string],
    ]
    const source = readFileSync(new URL(import.meta.url), 'utf8').split('\n')
    const from = source.findIndex((line) => line.trim() === '// readme:setup')
    const to = source.findIndex((line, index) => index > from && line.trim() === '// readme:end')
    const body = source.slice(from + 1, to).map((line) => line.slice(2))
    expect(code).toBe([...README_IMPORTS, '', ...body].join('\n'))

    const admin = new pg.Client({ connectionString: server.adminUrl })
    await admin.connect()
    try {
      await admin.query(roles)
      await bash(install, { ADMIN_DATABASE_URL: server.adminUrl })
      await admin.query(table)
    } finally {
      await admin.end()
    }
    const mint = async (sub: string) =>
      (
        await bash(`${token.replaceAll('"sub":"alice"', `"sub":"${sub}"`)}\nprintf %s "$TOKEN"`, secret)
      ).trim()

    const env = {
      JWT_SECRET: process.env.JWT_SECRET,
      DATABASE_URL: process.env.DATABASE_URL,
      TOKEN: process.env.TOKEN,
    }
    try {
      Object.assign(process.env, secret, { DATABASE_URL: appUrl, TOKEN: await mint('alice') })
      const first = await app()
      await first.db.pool.end()
      expect(first.rows).toEqual([{ owner: 'alice', body: 'hello' }])

      process.env.TOKEN = await mint('bob')
      const second = await app()
      try {
        expect(second.rows).toEqual([{ owner: 'bob', body: 'hello' }])
        // an anonymous caller has no grant on notes
        await expect(second.db.withClaims(null).query('select * from notes')).rejects.toMatchObject({
          code: '42501',
        })
        // admin work as authenticator fails, as the README says
        await expect(installHelpers(second.db.pool)).rejects.toMatchObject({ code: '42501' })
      } finally {
        await second.db.pool.end()
      }
    } finally {
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })
})
