import { createTestDatabase, lintFindings } from '@pg-claims/testing'
import { expect, it } from 'vitest'
import { generateClient } from '../src/generate.js'
import { createSchema } from '../src/schema.js'

it('shows each user only their own notes and tags, nothing to the anonymous caller, and refuses a forged token', async () => {
  await generateClient()
  const { runExample } = await import('../src/run-example.js')
  const database = await createTestDatabase()
  try {
    await createSchema(database.adminUrl)
    const lines: string[] = []
    // no error; anon's select grants without a policy are deliberate (it sees no rows)
    expect(await lintFindings(database.url)).toEqual([
      { id: 'no_policy_for_role', severity: 'warning', object: 'table public.example_notes' },
      { id: 'no_policy_for_role', severity: 'warning', object: 'table public.example_tags' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column public.example_notes.owner' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column public.example_tags.owner' },
    ])
    await runExample(database.url, (line) => lines.push(line))
    expect(lines).toEqual([
      'alice     sees ["buy milk","call mum"] and 2 tag(s)',
      'bob       sees ["fix the bike"] and 0 tag(s)',
      'anonymous sees [] and 0 tag(s)',
      'forged    refused with TOKEN_SIGNATURE_INVALID (HTTP 401), before any connection was taken',
      'after     the base client runs as authenticator with claims null',
    ])
  } finally {
    await database.drop()
  }
})
