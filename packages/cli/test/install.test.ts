import { createTestDatabase, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

async function queryAsAdmin(database: TestDatabase, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: database.adminUrl })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}

describe('pg-claims install', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(() => database.drop())

  it('applies the helpers with --database-url, and again (idempotent)', async () => {
    for (let run = 0; run < 2; run++) {
      const { code, stdout, stderr } = await runCli(['install', '--database-url', database.adminUrl])
      expect(stderr).toBe('')
      expect(code).toBe(0)
      expect(stdout).toBe('installed the pg-claims SQL helpers in schema auth\n')
    }
    const { rows } = await queryAsAdmin(
      database,
      `select auth.session() as session, auth.user_id() as user_id`,
    )
    expect(rows).toEqual([{ session: null, user_id: null }])
  })

  it('reads DATABASE_URL and takes --schema', async () => {
    const { code } = await runCli(['install', '--schema', 'claims'], { DATABASE_URL: database.adminUrl })
    expect(code).toBe(0)
    const { rows } = await queryAsAdmin(
      database,
      `select pg_catalog.to_regprocedure('claims.session()') is not null as installed`,
    )
    expect(rows).toEqual([{ installed: true }])
  })

  it('the helpers read the claims pg-claims applies', async () => {
    const { rows } = await queryAsAdmin(
      database,
      `begin; select set_config('request.jwt.claims', '{"sub":"u1"}', true);
       select auth.user_id() as user_id, claims.user_id() as claims_user_id; commit;`,
    ).then((results) => (results as unknown as pg.QueryResult[])[2]!)
    expect(rows).toEqual([{ user_id: 'u1', claims_user_id: 'u1' }])
  })

  it('a role that may not create the schema gets a database error (exit 3)', async () => {
    const { code, stdout, stderr } = await runCli([
      'install',
      '--database-url',
      database.url,
      '--schema',
      'other',
    ])
    expect(code).toBe(3)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^error DATABASE: permission denied .*\(42501\)\n$/)
  })

  it('an unreachable server is a database error (exit 3)', async () => {
    const { code, stderr } = await runCli(['install', '--database-url', 'postgres://nobody@127.0.0.1:1/none'])
    expect(code).toBe(3)
    expect(stderr).toMatch(/^error DATABASE: .*ECONNREFUSED/)
  })

  it('without a URL, or with a bad schema, is a usage error (exit 2) before connecting', async () => {
    const missing = await runCli(['install'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^error USAGE: install needs --database-url <url> or the DATABASE_URL/)
    const badSchema = await runCli([
      'install',
      '--database-url',
      'postgres://nobody@127.0.0.1:1/none',
      '--schema',
      'Bad',
    ])
    expect(badSchema.code).toBe(2)
    expect(badSchema.stderr).toMatch(/^error CONFIG_INVALID: schema "Bad"/)
  })
})
