import { createClaims, createVerifier, type PgClaimsErrorCode } from '@pg-claims/core'
import { signToken, TEST_SECRET, testKeyPairs } from '@pg-claims/testing'
import { describe, expect, it } from 'vitest'

async function rejection(promise: Promise<unknown>): Promise<PgClaimsErrorCode> {
  const error = await promise.then(
    () => expect.unreachable('the token was accepted'),
    (caught: unknown) => caught,
  )
  expect(error).toHaveProperty('name', 'PgClaimsError')
  return (error as { code: PgClaimsErrorCode }).code
}

/** A twin of a base64url segment that decodes to the same bytes: the unused low bits of its last character set. */
function trailingBitsTwin(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const unusedBits = { 2: 4, 3: 2 }[(segment.length % 4) as 2 | 3]
  if (unusedBits === undefined) throw new Error('this segment has no unused bits')
  const last = alphabet.indexOf(segment.at(-1)!)
  return segment.slice(0, -1) + alphabet[last | 1]
}

describe('one token, one spelling (malleability)', () => {
  const verifier = createVerifier({ secret: TEST_SECRET })

  it('the twins below decode to the same bytes as the token', async () => {
    const [header, payload, signature] = (await signToken({ sub: 'u1' })).split('.') as [
      string,
      string,
      string,
    ]
    expect(Buffer.from(trailingBitsTwin(signature), 'base64url')).toEqual(Buffer.from(signature, 'base64url'))
    expect(Buffer.from(`${payload}==`, 'base64url')).toEqual(Buffer.from(payload, 'base64url'))
    expect(header.length).toBeGreaterThan(0)
  })

  it.each([
    ['a trailing newline', (t: string) => `${t}\n`],
    ['a leading space', (t: string) => ` ${t}`],
    ['a space inside a segment', (t: string) => t.replace('.', '. ')],
    ['a tab inside the signature', (t: string) => `${t.slice(0, -3)}\t${t.slice(-3)}`],
    ['= padding on the signature', (t: string) => `${t}=`],
    [
      '= padding on the payload',
      (t: string) =>
        t.replace(/\.([^.]+)\./, (_m, p: string) => `.${p}${'='.repeat((4 - (p.length % 4)) % 4 || 4)}.`),
    ],
    ['standard base64 characters', (t: string) => t.replaceAll('-', '+').replaceAll('_', '/')],
    ['set unused bits in the signature', (t: string) => t.replace(/[^.]+$/, trailingBitsTwin)],
    ['an empty header', (t: string) => t.replace(/^[^.]+/, '')],
  ])('refuses the token with %s as TOKEN_MALFORMED', async (_name, alter) => {
    const token = await signToken({ sub: 'u1', '~': '~~~?>>>' })
    await expect(verifier.verify(token)).resolves.toBeDefined()
    const twin = alter(token)
    expect(twin).not.toBe(token)
    expect(await rejection(verifier.verify(twin))).toBe('TOKEN_MALFORMED')
  })

  it('refuses a malleated twin before the cache sees it', async () => {
    const claims = createClaims({ secret: TEST_SECRET })
    const token = await signToken({ sub: 'u1' })
    await claims.resolve(token)
    expect(await rejection(claims.resolve(`${token}=`))).toBe('TOKEN_MALFORMED')
    expect(await rejection(claims.resolve(`${token} `))).toBe('TOKEN_MALFORMED')
  })

  it('still verifies ES256, ES384 and ES512 signatures, whichever of the twins (r, s) / (r, n - s) the signer produced', async () => {
    const keys = testKeyPairs()
    for (const [alg, pair] of [
      ['ES256', keys.es256],
      ['ES384', keys.es384],
      ['ES512', keys.es512],
    ] as const) {
      const es = createVerifier({ publicKey: pair.publicKey })
      for (let i = 0; i < 8; i++) {
        await expect(es.verify(await signToken({ i }, { alg, key: pair.privateKey }))).resolves.toBeDefined()
      }
    }
  })
})
