import { createTestDatabase, lintFindings } from '@pg-claims/testing'
import { expect, it } from 'vitest'
import { runExample } from '../src/run-example.js'
import { createSchema } from '../src/schema.js'

it('keeps each user to their notes through Drizzle and raw postgres.js, and refuses a forged token', async () => {
  const database = await createTestDatabase()
  try {
    await createSchema(database.adminUrl)
    expect(await lintFindings(database.url)).toEqual([])
    const lines: string[] = []
    await runExample(database.url, (line) => lines.push(line))
    expect(lines).toEqual([
      'alice     writing as bob: refused (SQLSTATE 42501)',
      'alice     sees ["buy milk"]',
      'bob       sees ["call mum","water the plants"]',
      'anonymous refused (SQLSTATE 42501)',
      'raw sql   runs as authenticated for bob',
      'forged    refused with TOKEN_SIGNATURE_INVALID (HTTP 401), before any connection was reserved',
    ])
  } finally {
    await database.drop()
  }
})
