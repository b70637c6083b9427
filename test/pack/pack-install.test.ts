// What a new user does: every public package packed with `npm pack`, installed from the tarballs
// into a brand-new app outside the workspace next to the newest versions of their peers the peer
// ranges allow, a small program per adapter type-checked under `node16` and `bundler`, then run
// against a real PostgreSQL. publint and arethetypeswrong (ESM-only profile) check each tarball.
// Needs the npm registry. `npm run test:pack`.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { helpersSql, installHelpers } from '@pg-claims/core'
import { createTestDatabase, TEST_SECRET } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const workspaceBin = join(root, 'node_modules', '.bin')

/** The packages a user can install: every packages/* not marked private. */
const published = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir: join(root, 'packages', dir),
    json: readJson(join(root, 'packages', dir, 'package.json')),
  }))
  .filter(({ json }) => json.private !== true)
  .map(({ dir, json }) => ({ dir, name: String(json.name) }))

/** The peers the app installs by name only: npm takes the newest version the peer ranges allow. */
const PEERS = [
  'pg',
  '@types/pg',
  'kysely',
  'drizzle-orm',
  '@prisma/client',
  '@prisma/adapter-pg',
  '@prisma/adapter-neon',
]
/** The development tools the READMEs install with `-D`. */
const DEV_TOOLS = ['prisma', 'drizzle-kit']
const TOOLS = ['typescript', '@types/node@20']
const ADAPTER_PROGRAMS = ['pg', 'kysely', 'drizzle', 'prisma']

/** The fenced `lang` blocks of `markdown`, or of its `## heading` section, in order. */
function blocks(markdown: string, lang: string, heading?: string): string[] {
  let text = markdown
  if (heading !== undefined) {
    const start = markdown.indexOf(`\n## ${heading}\n`)
    expect(start, `section ${heading}`).toBeGreaterThan(-1)
    const end = markdown.indexOf('\n## ', start + 1)
    text = markdown.slice(start, end === -1 ? undefined : end)
  }
  return [...text.matchAll(new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(([, code]) => code!)
}

const packageReadme = (dir: string) => readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8')

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
}

/** The environment without the `npm_*` variables of an enclosing `npm run`, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))
  return { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_fund: 'false', npm_config_audit: 'false', ...extra }
}

/** Runs a command; resolves with its output, rejects with its output in the message. */
async function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(command, args, { cwd, env: cleanEnv(env), maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`)
  }
}

let scratch: string
let app: string
const tarballs = new Map<string, { file: string; files: string[] }>()

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'pg-claims-pack-'))
  app = join(scratch, 'app')
  for (const { dir, name } of published) {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], dir)
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    tarballs.set(name, {
      file: join(scratch, packed!.filename),
      files: packed!.files.map((file) => file.path),
    })
  }
  cpSync(fileURLToPath(new URL('app', import.meta.url)), app, { recursive: true })
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }),
  )
  const files = [...tarballs.values()].map((tarball) => tarball.file)
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...files, ...PEERS, ...DEV_TOOLS, ...TOOLS],
    app,
  )
}, 300_000)

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

describe.each(published)('the tarball of $name', ({ name }) => {
  it('holds LICENSE, README.md and dist, and no TypeScript build info', () => {
    const { files } = tarballs.get(name)!
    expect(files).toContain('LICENSE')
    expect(files).toContain('README.md')
    expect(files).toContain('dist/index.js')
    expect(files).toContain('dist/index.d.ts')
    expect(files.filter((file) => file.includes('tsbuildinfo'))).toEqual([])
    expect(readFileSync(join(app, 'node_modules', name, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(root, 'LICENSE'), 'utf8'),
    )
  })

  it('has a README that stands on its own: absolute links, ESM only stated', () => {
    const readme = readFileSync(join(app, 'node_modules', name, 'README.md'), 'utf8')
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map(([, target]) => target!)
    expect(links.filter((target) => !/^(https:\/\/|#)/.test(target))).toEqual([])
    expect(readme).toMatch(/ESM only/)
  })

  it('passes publint', async () => {
    const { stdout } = await run(
      join(workspaceBin, 'publint'),
      ['run', tarballs.get(name)!.file, '--strict'],
      root,
    )
    expect(stdout).toContain('All good!')
  })

  it('passes arethetypeswrong, ESM-only profile', async () => {
    await run(
      join(workspaceBin, 'attw'),
      [tarballs.get(name)!.file, '--profile', 'esm-only', '--format', 'ascii'],
      root,
    )
  })
})

describe('a scratch app built from the tarballs', () => {
  it("installed every package the READMEs' npm install lines name", () => {
    const installed = new Set([
      ...tarballs.keys(),
      ...PEERS,
      ...DEV_TOOLS,
      ...TOOLS.map((tool) => tool.replace(/@\d+$/, '')),
    ])
    const readmes = [join(root, 'README.md'), ...published.map(({ dir }) => join(dir, 'README.md'))]
    const named: string[] = []
    for (const file of readmes) {
      for (const block of blocks(readFileSync(file, 'utf8'), 'sh')) {
        for (const line of block.split('\n').filter((text) => text.startsWith('npm install'))) {
          const words = line.split(/\s+/).slice(2)
          const end = words.findIndex((word) => word === '&&' || word.startsWith('#'))
          named.push(...words.slice(0, end === -1 ? undefined : end).filter((word) => !word.startsWith('-')))
        }
      }
    }
    expect(named).toContain('@types/pg')
    expect(named.filter((name) => !installed.has(name))).toEqual([])
  })

  it("generates its Prisma client from the Prisma README's schema.prisma and prisma.config.ts", async () => {
    const readme = packageReadme('prisma')
    const [schema] = blocks(readme, 'prisma', 'Schema, client and tables')
    const [config] = blocks(readme, 'ts', 'Schema, client and tables')
    const [generate] = blocks(readme, 'sh', 'Schema, client and tables')
    mkdirSync(join(app, 'prisma'))
    writeFileSync(join(app, 'prisma', 'schema.prisma'), schema!)
    writeFileSync(join(app, 'prisma.config.ts'), config!)
    // generation does not use the schema engine; pointing at any executable skips its download
    await run('bash', ['-euo', 'pipefail', '-c', generate!], app, {
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    })
  })

  it.each(['node16', 'bundler'])(
    'type-checks every adapter program under moduleResolution %s',
    async (mode) => {
      await run('npx', ['tsc', '-p', `tsconfig.${mode}.json`], app)
    },
  )

  it('follows the Drizzle README: drizzle.config.ts, then drizzle-kit migrations as the admin', async () => {
    const readme = packageReadme('drizzle')
    const heading = 'drizzle-kit: the helpers migration'
    const [config] = blocks(readme, 'ts', heading)
    const [commands] = blocks(readme, 'sh', heading)
    const [grants] = blocks(readme, 'sql', heading)
    writeFileSync(join(app, 'schema.ts'), blocks(readme, 'ts')[0]!) // the quick start's schema.ts
    writeFileSync(join(app, 'drizzle.config.ts'), config!)
    const lines = commands!.trimEnd().split('\n')
    const grantsStep = lines.findIndex((line) => line.includes('--name=grants')) + 1
    expect(grantsStep).toBeGreaterThan(0)
    const database = await createTestDatabase()
    try {
      const env = { ADMIN_DATABASE_URL: database.adminUrl }
      await run('bash', ['-euo', 'pipefail', '-c', lines.slice(0, grantsStep).join('\n')], app, env)
      // "then write your GRANTs": the README's grants, into the custom migration drizzle-kit made
      const grantsFile = readdirSync(join(app, 'drizzle')).find((file) => file.endsWith('_grants.sql'))!
      writeFileSync(join(app, 'drizzle', grantsFile), grants!)
      await run('bash', ['-euo', 'pipefail', '-c', lines.slice(grantsStep).join('\n')], app, env)

      const admin = new pg.Client({ connectionString: database.adminUrl })
      await admin.connect()
      try {
        const { rows } = await admin.query(`select
            (select count(*)::int from pg_policies where tablename = 'posts') as policies,
            (select relrowsecurity from pg_class where relname = 'posts') as rls,
            has_sequence_privilege('authenticated', 'posts_id_seq', 'usage') as sequence,
            to_regprocedure('auth.user_id()') is not null as helpers`)
        expect(rows).toEqual([{ policies: 4, rls: true, sequence: true, helpers: true }])
      } finally {
        await admin.end()
      }
    } finally {
      await database.drop()
    }
  })

  it('runs npx pg-claims from @pg-claims/cli', async () => {
    expect((await run('npx', ['pg-claims', '--help'], app)).stdout).toContain('pg-claims')
    expect((await run('npx', ['pg-claims', 'sql'], app)).stdout.trim()).toBe(helpersSql().trim())
  })

  it.each(ADAPTER_PROGRAMS)('runs the %s program: each caller sees only their rows', async (program) => {
    const database = await createTestDatabase({
      setup: async (admin) => {
        await installHelpers(admin)
        await admin.query(`
          create table notes (id serial primary key, owner text not null default auth.user_id(), body text not null);
          alter table notes enable row level security;
          grant select on notes to anon;
          grant select, insert on notes to authenticated;
          grant usage on sequence notes_id_seq to authenticated;
          create policy own_notes on notes to authenticated
            using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));`)
      },
    })
    try {
      const token = async (sub: string) => {
        const claims = JSON.stringify({ sub, role: 'authenticated' })
        const args = ['pg-claims', 'token', '--secret', TEST_SECRET, '--claims', claims, '--audience', 'api']
        return (await run('npx', args, app)).stdout.trim()
      }
      const env = {
        DATABASE_URL: database.url,
        JWT_SECRET: TEST_SECRET,
        ALICE_TOKEN: await token('alice'),
        BOB_TOKEN: await token('bob'),
      }
      const { stdout } = await run('node', [join('build', `${program}.js`)], app, env)
      expect(JSON.parse(stdout)).toEqual({
        alice: [{ owner: 'alice', body: 'by alice' }],
        anonymous: 0,
        refused: 'TOKEN_MALFORMED 401',
      })
    } finally {
      await database.drop()
    }
  })
})
