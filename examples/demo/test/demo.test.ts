import { createTestDatabase } from '@pg-claims/testing'
import { expect, it } from 'vitest'
import { runDemo } from '../src/run-demo.js'
import { createSchema } from '../src/schema.js'

it('shows each user only their own notes, nothing to the anonymous caller, and refuses a forged token', async () => {
  const database = await createTestDatabase({ setup: async () => {} })
  try {
    await createSchema(database.adminUrl)
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
  } finally {
    await database.drop()
  }
})
