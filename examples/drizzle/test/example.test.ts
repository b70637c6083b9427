import { createTestDatabase, lintFindings } from '@pg-claims/testing'
import { expect, it } from 'vitest'
import { applyMigrations } from '../src/migrate.js'
import { runExample } from '../src/run-example.js'

it('shows each caller the posts the TypeScript policies allow, and refuses a forged token', async () => {
  const database = await createTestDatabase()
  try {
    await applyMigrations(database.adminUrl)
    const lines: string[] = []
    // no error; the owner's and the organisation's read policies overlap on purpose (two rules)
    expect(await lintFindings(database.url)).toEqual([
      { id: 'multiple_permissive', severity: 'warning', object: 'table public.posts' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column public.posts.author_id' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column public.posts.org_id' },
    ])
    await runExample(database.url, (line) => lines.push(line))
    expect(lines).toEqual([
      'alice     sees ["alice: draft","alice: hello world"]',
      'bob       sees ["alice: draft","alice: hello world"]',
      'carol     sees ["carol: notes"]',
      'anonymous sees ["alice: hello world"]',
      `bob       updates 0 of alice's posts, as {"role":"authenticated","user_id":"bob"}`,
      'forged    refused with TOKEN_SIGNATURE_INVALID (HTTP 401), before any connection was taken',
      'after     the plain db runs as authenticator with claims null',
    ])
  } finally {
    await database.drop()
  }
})
