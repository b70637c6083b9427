import { claimsPool, createClaims, lintDatabase } from '@pg-claims/core'
import { asClaims, expectDenied, expectRows } from '@pg-claims/core/testing'
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDemo } from '../src/run-demo.js'
import { createSchema } from '../src/schema.js'

let database: TestDatabase
beforeAll(async () => {
  database = await createTestDatabase({ setup: async () => {} })
  await createSchema(database.adminUrl)
})
afterAll(() => database?.drop())

it('shows each user only their own notes, nothing to the anonymous caller, and refuses a forged token', async () => {
  const lines: string[] = []
  await runDemo(database.url, (line) => lines.push(line))
  expect(lines).toEqual([
    expect.stringMatching(
      /^alice .* authenticated .*user_id=alice .*\["alice: buy milk","alice: call mum"\]$/,
    ),
    expect.stringMatching(/^bob .* authenticated .*user_id=bob .*\["bob: fix the bike"\]$/),
    expect.stringMatching(/^anonymous .* anon .*user_id=null .*\[\]$/),
    expect.stringMatching(/^forged +refused with TOKEN_SIGNATURE_INVALID \(HTTP 401\)/),
    'after     the pooled connection is back to authenticator with claims null',
  ])
})

it('passes pg-claims lint: no error, only the deliberate select grant to anon without a policy', async () => {
  const client = new pg.Client({ connectionString: database.url }) // as the demo's login role
  await client.connect()
  try {
    const findings = await lintDatabase(client, { allowedRoles: ['anon', 'authenticated'] })
    expect(findings.map(({ id, severity, object }) => ({ id, severity, object }))).toEqual([
      { id: 'no_policy_for_role', severity: 'warning', object: 'table public.demo_notes' },
    ])
  } finally {
    await client.end()
  }
})

describe('the demo policy, checked with the RLS test helpers', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: database.url, max: 2 })
  })
  afterAll(() => pool.end())
  const db = () =>
    claimsPool(
      pool,
      createClaims({ secret: TEST_SECRET, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } }),
    )
  const carol = { sub: 'carol', role: 'authenticated' }
  const dave = { sub: 'dave', role: 'authenticated' }

  it('an owner reads and writes her notes; nothing is left behind', async () => {
    await asClaims(db(), carol, async (client) => {
      await expectRows(client, `insert into demo_notes (body) values ('carol: draft') returning owner`, [
        { owner: 'carol' },
      ])
      await expectRows(client, `select body from demo_notes where owner = 'carol'`, [
        { body: 'carol: draft' },
      ])
    })
    await asClaims(db(), carol, (client) =>
      expectDenied(client, `select * from demo_notes where owner = 'carol'`),
    )
  })

  it("another user neither sees, nor changes, nor forges someone's notes", async () => {
    await asClaims(db(), carol, async (client) => {
      await client.query(`insert into demo_notes (body) values ('carol: secret')`)
      await expectRows(client, `select body from demo_notes where owner = 'carol'`, 1)
    })
    await asClaims(db(), dave, async (client) => {
      await expectDenied(client, `select * from demo_notes where owner <> 'dave'`)
      expect(
        await expectDenied(client, `insert into demo_notes (owner, body) values ('carol', 'forged')`),
      ).toEqual({
        reason: 'insufficient_privilege',
        message: 'new row violates row-level security policy for table "demo_notes"',
      })
      await expectDenied(client, `update demo_notes set body = 'defaced'`) // no update grant: 42501
    })
  })

  it('the anonymous caller reads nothing and writes nothing', async () => {
    await asClaims(db(), null, async (client) => {
      expect(await expectDenied(client, 'select * from demo_notes')).toEqual({ reason: 'no_rows' })
      expect(await expectDenied(client, `insert into demo_notes (body) values ('spam')`)).toMatchObject({
        reason: 'insufficient_privilege',
      })
    })
  })
})
