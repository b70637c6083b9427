import { generateKeyPairSync } from 'node:crypto'
import { type ClaimsOptions, createClaims } from '@pg-claims/core'
import { signToken, TEST_SECRET } from '@pg-claims/testing'
import { exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'

const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 })
const pssAny = generateKeyPairSync('rsa-pss', { modulusLength: 2048 })
const pssSha256 = generateKeyPairSync('rsa-pss', {
  modulusLength: 2048,
  hashAlgorithm: 'sha256',
  mgf1HashAlgorithm: 'sha256',
})

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => expect.unreachable('accepted'),
    (caught: unknown) => caught,
  )
  expect(error).toHaveProperty('name', 'PgClaimsError')
  expect(error).toHaveProperty('status', expect.any(Number))
  return (error as { code: string }).code
}

describe('options are checked at createClaims (CONFIG_INVALID)', () => {
  it.each([
    ['maxTokenSize NaN', { maxTokenSize: Number.NaN }, /maxTokenSize/],
    ['maxTokenSize negative', { maxTokenSize: -1 }, /maxTokenSize/],
    ['maxTokenSize 0', { maxTokenSize: 0 }, /maxTokenSize/],
    ['maxTokenSize non-integer', { maxTokenSize: 100.5 }, /maxTokenSize/],
    ['cache.maxEntries 0', { cache: { maxEntries: 0 } }, /cache.maxEntries/],
    ['cache.maxEntries negative', { cache: { maxEntries: -5 } }, /cache.maxEntries/],
    ['cache.maxEntries non-integer', { cache: { maxEntries: 1.5 } }, /cache.maxEntries/],
    ['cache.ttlSeconds NaN', { cache: { ttlSeconds: Number.NaN } }, /cache.ttlSeconds/],
    ['cache.ttlSeconds negative', { cache: { ttlSeconds: -1 } }, /cache.ttlSeconds/],
    ['clockTolerance Infinity', { clockTolerance: Number.POSITIVE_INFINITY }, /clockTolerance/],
    ['clockTolerance negative', { clockTolerance: -1 }, /clockTolerance/],
    ['clockTolerance NaN', { clockTolerance: Number.NaN }, /clockTolerance/],
    ['clockTolerance over a day', { clockTolerance: 86_401 }, /clockTolerance/],
    ['clockTolerance as text', { clockTolerance: '30s' as unknown as number }, /clockTolerance/],
    ['maxTokenAge of another type', { maxTokenAge: {} as unknown as number }, /maxTokenAge/],
  ] as const)('refuses %s', (_name, options, message) => {
    expect(() => createClaims({ secret: TEST_SECRET, ...options } as ClaimsOptions)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }),
    )
  })

  it.each([
    ['a string', 'authenticated'],
    ['a list holding a number', ['anon', 7]],
    ['an object', { anon: true }],
  ])('refuses roles.allowed as %s (a string would allow its substrings)', (_name, allowed) => {
    expect(() => createClaims({ secret: TEST_SECRET, roles: { allowed: allowed as never } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/roles.allowed/) }),
    )
  })

  it('refuses a roles.claim that is neither a name nor a list of names', () => {
    expect(() =>
      createClaims({ secret: TEST_SECRET, roles: { claim: 7 as never, allowed: ['anon'] } }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })

  it('refuses an RSA key under 2048 bits, as PEM, KeyObject, JWK and in a JWKS', async () => {
    const jwk = await exportJWK(rsa1024.publicKey)
    for (const options of [
      { publicKey: String(rsa1024.publicKey.export({ type: 'spki', format: 'pem' })) },
      { publicKey: rsa1024.publicKey },
      { publicKey: jwk },
      { jwks: { keys: [{ ...jwk, kid: 'small' }] } },
    ]) {
      expect(() => createClaims(options)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/2048 bits/) }),
      )
    }
  })

  it('refuses an RSA-PSS-only key object, which jose cannot verify with', () => {
    for (const pair of [pssAny, pssSha256]) {
      expect(() => createClaims({ publicKey: pair.publicKey })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/RSA-PSS/) }),
      )
    }
  })

  it('limits an RSA CryptoKey to the one hash it is bound to', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const cryptoKey = await crypto.subtle.importKey(
      'spki',
      pair.publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'RSA-PSS', hash: 'SHA-256' },
      true,
      ['verify'],
    )
    const claims = createClaims({ publicKey: cryptoKey })
    await expect(
      claims.resolve(await signToken({ sub: 'u1' }, { alg: 'PS256', key: pair.privateKey })),
    ).resolves.toBeDefined()
    expect(
      await codeOf(claims.resolve(await signToken({ sub: 'u1' }, { alg: 'PS384', key: pair.privateKey }))),
    ).toBe('TOKEN_ALGORITHM_NOT_ALLOWED')
    expect(() => createClaims({ publicKey: cryptoKey, algorithms: ['PS384'] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })
})

describe('user code that throws becomes a PgClaimsError per request', () => {
  it('a roles.allowed predicate that throws', async () => {
    const claims = createClaims({
      secret: TEST_SECRET,
      roles: {
        allowed: (role) => {
          if (role === 'boom') throw new Error('predicate bug')
          return role === 'authenticated'
        },
      },
    })
    expect(await codeOf(claims.resolve(await signToken({ role: 'boom' })))).toBe('CONFIG_INVALID')
    await expect(claims.resolve(await signToken({ role: 'authenticated' }))).resolves.toBeDefined()
  })

  it('a roles.allowed predicate that throws on the default role, at createClaims', () => {
    expect(() =>
      createClaims({
        secret: TEST_SECRET,
        roles: {
          default: 'anon',
          allowed: () => {
            throw new Error('predicate bug')
          },
        },
      }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })

  it('settings.extra that throws', async () => {
    const claims = createClaims({
      secret: TEST_SECRET,
      settings: {
        extra: () => {
          throw new Error('extra bug')
        },
      },
    })
    expect(await codeOf(claims.resolve(await signToken({ sub: 'u1' })))).toBe('SETTING_INVALID')
  })

  it('settings.onSkippedClaim that throws', async () => {
    const claims = createClaims({
      secret: TEST_SECRET,
      settings: {
        onSkippedClaim: () => {
          throw new Error('callback bug')
        },
      },
    })
    expect(await codeOf(claims.resolve(await signToken({ 'foo-bar': 1 })))).toBe('SETTING_INVALID')
  })

  it('a schema that throws instead of reporting issues', async () => {
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: () => {
          throw new Error('schema bug')
        },
      },
    }
    const claims = createClaims({ secret: TEST_SECRET, schema })
    expect(await codeOf(claims.resolve(await signToken({ sub: 'u1' })))).toBe('CLAIM_INVALID')
  })

  it('a token signed with an algorithm the inline JWKS key cannot do', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    // the JWK claims RS256 but holds an EC key: jose throws a TypeError, not a JOSEError
    const jwks = { keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'k', alg: 'RS256' }] }
    const claims = createClaims({ jwks })
    const token = await signToken({ sub: 'u1' }, { alg: 'RS256', key: rsa.privateKey, kid: 'k' })
    const code = await codeOf(claims.resolve(token))
    expect(['TOKEN_KEY_NOT_FOUND', 'JWKS_UNAVAILABLE', 'TOKEN_SIGNATURE_INVALID']).toContain(code)
  })
})
