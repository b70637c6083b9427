import { createTestDatabase, lintFindings } from '@pg-claims/testing'
import { expect, it } from 'vitest'
import { runExample } from '../src/run-example.js'
import { createSchema } from '../src/schema.js'

it('shares projects within an organisation, keeps claims across a savepoint, and refuses a forged token', async () => {
  const database = await createTestDatabase()
  try {
    await createSchema(database.adminUrl)
    const lines: string[] = []
    // no error; anon's select grant without a policy is deliberate (it sees no rows)
    expect(await lintFindings(database.url)).toEqual([
      { id: 'no_policy_for_role', severity: 'warning', object: 'table public.projects' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column public.projects.org_id' },
    ])
    await runExample(database.url, (line) => lines.push(line))
    expect(lines).toEqual([
      'carol     writing into organisation 1: refused (SQLSTATE 42501)',
      'alice     sees ["apollo (alice, mine)","gemini (bob)"]',
      'bob       sees ["apollo (alice)","gemini (bob, mine)"]',
      'carol     sees ["vostok (carol, mine)"]',
      'anonymous sees []',
      'forged    refused with TOKEN_SIGNATURE_INVALID (HTTP 401), before any connection was taken',
      'plain db  runs as authenticator with claims null',
    ])
  } finally {
    await database.drop()
  }
})
