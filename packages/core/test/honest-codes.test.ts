import { createHmac } from 'node:crypto'
import { createVerifier, ERROR_CODES, type PgClaimsErrorCode } from '@pg-claims/core'
import { signToken, TEST_SECRET, testKeyPairs } from '@pg-claims/testing'
import { exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'

const keys = testKeyPairs()
const other = testKeyPairs()

async function rejection(promise: Promise<unknown>): Promise<PgClaimsErrorCode> {
  const error = await promise.then(
    () => expect.unreachable('the token was accepted'),
    (caught: unknown) => caught,
  )
  expect(error).toHaveProperty('name', 'PgClaimsError')
  return (error as { code: PgClaimsErrorCode }).code
}

describe('honest error codes', () => {
  it('an unknown crit header parameter is TOKEN_CRIT_UNSUPPORTED, not an algorithm problem', async () => {
    const verifier = createVerifier({ secret: TEST_SECRET })
    // jose will not sign an unknown crit either, so the token is signed by hand
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const input = `${encode({ alg: 'HS256', crit: ['exp-policy'], 'exp-policy': 1 })}.${encode({ sub: 'u1' })}`
    const token = `${input}.${createHmac('sha256', TEST_SECRET).update(input).digest('base64url')}`
    expect(await rejection(verifier.verify(token))).toBe('TOKEN_CRIT_UNSUPPORTED')
    expect(ERROR_CODES.TOKEN_CRIT_UNSUPPORTED.status).toBe(401)
  })

  it('a token with an allowed algorithm but no such crit is still fine, and a bad algorithm keeps its code', async () => {
    const verifier = createVerifier({ secret: TEST_SECRET, algorithms: ['HS256'] })
    await expect(verifier.verify(await signToken({ sub: 'u1' }))).resolves.toBeDefined()
    expect(await rejection(verifier.verify(await signToken({ sub: 'u1' }, { alg: 'HS512' })))).toBe(
      'TOKEN_ALGORITHM_NOT_ALLOWED',
    )
  })

  it('a token without kid is tried against every key of its type in an inline JWKS', async () => {
    const jwks = {
      keys: [
        { ...(await exportJWK(other.es256.publicKey)), kid: 'old' },
        { ...(await exportJWK(keys.es256.publicKey)), kid: 'new' },
      ],
    }
    const verifier = createVerifier({ jwks })
    for (const pair of [keys.es256, other.es256]) {
      const token = await signToken({ sub: 'u1' }, { alg: 'ES256', key: pair.privateKey })
      expect((await verifier.verify(token)).payload.sub).toBe('u1')
    }
    const stranger = testKeyPairs().es256
    const forged = await signToken({ sub: 'u1' }, { alg: 'ES256', key: stranger.privateKey })
    expect(await rejection(verifier.verify(forged))).toBe('TOKEN_SIGNATURE_INVALID')
  })

  it('an expired token matching the second of two keys is TOKEN_EXPIRED, not a bad signature', async () => {
    const jwks = {
      keys: [
        { ...(await exportJWK(other.es256.publicKey)), kid: 'old' },
        { ...(await exportJWK(keys.es256.publicKey)), kid: 'new' },
      ],
    }
    const verifier = createVerifier({ jwks, clockTolerance: 0 })
    const expired = await signToken(
      { sub: 'u1', exp: Math.floor(Date.now() / 1000) - 60 },
      { alg: 'ES256', key: keys.es256.privateKey },
    )
    expect(await rejection(verifier.verify(expired))).toBe('TOKEN_EXPIRED')
  })
})
