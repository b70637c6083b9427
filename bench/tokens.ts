import type { Claims } from '@pg-claims/core'
import { signToken } from '@pg-claims/testing'

/**
 * Tokens for `users` callers, each resolved once through every one of `claims` (a server sees
 * repeat tokens, so the rows measure warm caches); the returned function picks one per operation.
 */
export async function benchTokens(
  users: number,
  claims: readonly Claims[],
): Promise<(index: number) => string> {
  const tokens = await Promise.all(
    Array.from({ length: users }, (_, user) => signToken({ sub: `user${user}`, role: 'authenticated' })),
  )
  for (const token of tokens) await Promise.all(claims.map((each) => each.resolve(token)))
  return (index) => tokens[index % tokens.length]!
}
