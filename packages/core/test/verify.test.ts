import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClaims, createVerifier, type PgClaimsErrorCode } from '@pg-claims/core'
import { signToken, TEST_SECRET, testKeyPairs, unsignedToken } from '@pg-claims/testing'
import { CompactSign, exportJWK } from 'jose'
import * as v from 'valibot'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

const keys = testKeyPairs()
const pem = (key: { export(options: { type: 'spki'; format: 'pem' }): string | Buffer }) =>
  String(key.export({ type: 'spki', format: 'pem' }))

async function rejection(promise: Promise<unknown>): Promise<PgClaimsErrorCode> {
  const error = await promise.then(
    () => expect.unreachable('the token was accepted'),
    (caught: unknown) => caught,
  )
  expect(error).toHaveProperty('name', 'PgClaimsError')
  return (error as { code: PgClaimsErrorCode }).code
}

describe('algorithms', () => {
  it.each(['HS256', 'HS384', 'HS512'])('verifies %s with a secret', async (alg) => {
    const verifier = createVerifier({ secret: TEST_SECRET })
    const { payload } = await verifier.verify(await signToken({ sub: 'u1' }, { alg }))
    expect(payload.sub).toBe('u1')
  })

  const asymmetric = [
    ['RS256', keys.rsa],
    ['RS512', keys.rsa],
    ['PS256', keys.rsa],
    ['PS384', keys.rsa],
    ['ES256', keys.es256],
    ['ES384', keys.es384],
    ['ES512', keys.es512],
    ['EdDSA', keys.ed25519],
  ] as const
  it.each(asymmetric)('verifies %s with a PEM public key', async (alg, pair) => {
    const verifier = createVerifier({ publicKey: pem(pair.publicKey) })
    const { payload } = await verifier.verify(await signToken({ sub: alg }, { alg, key: pair.privateKey }))
    expect(payload.sub).toBe(alg)
  })

  it.each(asymmetric)('verifies %s with a JWK public key', async (alg, pair) => {
    const verifier = createVerifier({ publicKey: await exportJWK(pair.publicKey) })
    const { payload } = await verifier.verify(await signToken({ sub: alg }, { alg, key: pair.privateKey }))
    expect(payload.sub).toBe(alg)
  })

  it('verifies against an inline JWKS, choosing the key by kid', async () => {
    const jwks = {
      keys: [
        { ...(await exportJWK(keys.es256.publicKey)), kid: 'ec', alg: 'ES256' },
        { ...(await exportJWK(keys.ed25519.publicKey)), kid: 'ed', alg: 'EdDSA' },
      ],
    }
    const verifier = createVerifier({ jwks })
    const token = await signToken({ sub: 'ed' }, { alg: 'EdDSA', key: keys.ed25519.privateKey, kid: 'ed' })
    expect((await verifier.verify(token)).payload.sub).toBe('ed')
    const unknownKid = await signToken({}, { alg: 'EdDSA', key: keys.ed25519.privateKey, kid: 'gone' })
    expect(await rejection(verifier.verify(unknownKid))).toBe('TOKEN_KEY_NOT_FOUND')
  })
})

describe('remote JWKS', () => {
  let server: Server
  let served: object
  let fetches = 0
  let url: string
  beforeAll(async () => {
    server = createServer((_request, response) => {
      fetches += 1
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify(served))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  it('fetches once, caches, and follows a key rotation on an unknown kid', async () => {
    served = { keys: [{ ...(await exportJWK(keys.es256.publicKey)), kid: 'one', alg: 'ES256' }] }
    const verifier = createVerifier({ jwksUrl: url, jwksOptions: { cooldownDuration: 0 } })
    const first = await signToken({ sub: 'a' }, { alg: 'ES256', key: keys.es256.privateKey, kid: 'one' })
    await verifier.verify(first)
    await verifier.verify(
      await signToken({ sub: 'b' }, { alg: 'ES256', key: keys.es256.privateKey, kid: 'one' }),
    )
    expect(fetches).toBe(1)

    served = { keys: [{ ...(await exportJWK(keys.ed25519.publicKey)), kid: 'two', alg: 'EdDSA' }] }
    const rotated = await signToken({ sub: 'c' }, { alg: 'EdDSA', key: keys.ed25519.privateKey, kid: 'two' })
    expect((await verifier.verify(rotated)).payload.sub).toBe('c')
    expect(fetches).toBe(2)
  })

  it('answers JWKS_UNAVAILABLE when the key set cannot be fetched', async () => {
    const verifier = createVerifier({ jwksUrl: 'http://127.0.0.1:1/jwks.json' })
    const token = await signToken({}, { alg: 'ES256', key: keys.es256.privateKey, kid: 'one' })
    expect(await rejection(verifier.verify(token))).toBe('JWKS_UNAVAILABLE')
  })

  it('refuses plain http except on loopback', () => {
    expect(() => createVerifier({ jwksUrl: 'http://issuer.example/jwks.json' })).toThrow(/https/)
  })
})

describe('bad tokens', () => {
  const verifier = createVerifier({ secret: TEST_SECRET, issuer: 'https://issuer.test', audience: 'api' })
  const good = { iss: 'https://issuer.test', aud: 'api', sub: 'u1' }
  const now = () => Math.floor(Date.now() / 1000)

  it('accepts the good token these cases start from', async () => {
    expect((await verifier.verify(await signToken(good))).payload.sub).toBe('u1')
  })

  const cases: ReadonlyArray<readonly [string, () => string | Promise<string>, PgClaimsErrorCode]> = [
    ['alg none', () => unsignedToken({ alg: 'none', typ: 'JWT' }, good), 'TOKEN_ALGORITHM_NOT_ALLOWED'],
    [
      'an algorithm outside the allow-list',
      () => signToken(good, { alg: 'RS256', key: keys.rsa.privateKey }),
      'TOKEN_ALGORITHM_NOT_ALLOWED',
    ],
    [
      'a wrong secret',
      () => signToken(good, { key: 'another-secret-that-is-32-bytes-long!!' }),
      'TOKEN_SIGNATURE_INVALID',
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await signToken(good)).split('.')
        return `${header}.${Buffer.from(JSON.stringify({ ...good, sub: 'admin' })).toString('base64url')}.${signature}`
      },
      'TOKEN_SIGNATURE_INVALID',
    ],
    ['an expired token', () => signToken({ ...good, exp: now() - 90 }), 'TOKEN_EXPIRED'],
    ['a token not yet valid', () => signToken({ ...good, nbf: now() + 90 }), 'TOKEN_NOT_YET_VALID'],
    ['a wrong issuer', () => signToken({ ...good, iss: 'https://evil.test' }), 'CLAIM_INVALID'],
    ['a wrong audience', () => signToken({ ...good, aud: 'other' }), 'CLAIM_INVALID'],
    ['malformed base64', async () => 'e30.!!!.abc', 'TOKEN_MALFORMED'],
    ['extra segments', async () => `${await signToken(good)}.extra`, 'TOKEN_MALFORMED'],
    ['two segments', async () => (await signToken(good)).split('.').slice(0, 2).join('.'), 'TOKEN_MALFORMED'],
    [
      'a signed payload that is not JSON',
      () =>
        new CompactSign(new TextEncoder().encode('not json'))
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(TEST_SECRET)),
      'TOKEN_MALFORMED',
    ],
    [
      'a signed payload that is a JSON array',
      () =>
        new CompactSign(new TextEncoder().encode('[1]'))
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(TEST_SECRET)),
      'TOKEN_MALFORMED',
    ],
    ['an empty string', async () => '', 'TOKEN_MALFORMED'],
    ['an oversized token', async () => `${'a'.repeat(20_000)}.b.c`, 'TOKEN_TOO_LARGE'],
  ]
  it.each(cases)('rejects %s', async (_name, make, code) => {
    expect(await rejection(verifier.verify(await make()))).toBe(code)
  })

  it('rejects a token that is not a string with TOKEN_MALFORMED', async () => {
    expect(await rejection(verifier.verify(42 as unknown as string))).toBe('TOKEN_MALFORMED')
  })

  it('rejects HS256 signed with the RSA public key as secret (algorithm confusion)', async () => {
    const publicPem = pem(keys.rsa.publicKey)
    const confused = await signToken(good, { alg: 'HS256', key: publicPem })
    const rsaVerifier = createVerifier({ publicKey: publicPem })
    expect(await rejection(rsaVerifier.verify(confused))).toBe('TOKEN_ALGORITHM_NOT_ALLOWED')
  })
})

describe('claim checks', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  const now = () => Math.floor(Date.now() / 1000)

  // pg_session_jwt's cases, with its 60 s leeway
  it.each([
    ['nbf = now + 70 is refused', { nbf: 70 }, 'TOKEN_NOT_YET_VALID'],
    ['exp = now - 65 is refused', { exp: -65 }, 'TOKEN_EXPIRED'],
    ['nbf = now + 59 is accepted', { nbf: 59 }, undefined],
    ['exp = now - 59 is accepted', { exp: -59 }, undefined],
  ] as const)('leeway 60 s: %s', async (_name, offsets, code) => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), toFake: ['Date'] }) // exact boundaries
    const verifier = createVerifier({ secret: TEST_SECRET, clockTolerance: 60 })
    const claims = Object.fromEntries(
      Object.entries(offsets).map(([claim, offset]) => [claim, now() + offset]),
    )
    const verified = verifier.verify(await signToken(claims))
    if (code === undefined) await expect(verified).resolves.toBeDefined()
    else expect(await rejection(verified)).toBe(code)
  })

  it('enforces maxTokenAge from iat', async () => {
    const verifier = createVerifier({ secret: TEST_SECRET, maxTokenAge: '10m', clockTolerance: 0 })
    await expect(verifier.verify(await signToken({ iat: now() - 60 }))).resolves.toBeDefined()
    expect(await rejection(verifier.verify(await signToken({ iat: now() - 601 })))).toBe('TOKEN_EXPIRED')
  })

  it('enforces required claims', async () => {
    const verifier = createVerifier({ secret: TEST_SECRET, requiredClaims: ['sub'] })
    expect(await rejection(verifier.verify(await signToken({})))).toBe('CLAIM_INVALID')
  })
})

describe('configuration', () => {
  it.each([
    ['no key', {}, /No verification key/],
    ['two keys', { secret: TEST_SECRET, jwks: { keys: [] } }, /exactly one/],
    ['a short secret', { secret: 'short' }, /at least 32 bytes/],
    [
      'HS256 with a public key',
      { publicKey: pem(keys.rsa.publicKey), algorithms: ['HS256'] },
      /cannot be used/,
    ],
    ['RS256 with a secret', { secret: TEST_SECRET, algorithms: ['RS256'] }, /cannot be used/],
    ['none', { secret: TEST_SECRET, algorithms: ['none'] }, /cannot be used/],
    ['a private key as publicKey', { publicKey: { kty: 'oct', k: 'c2VjcmV0' } }, /public key/],
    ['a bad maxTokenAge', { secret: TEST_SECRET, maxTokenAge: 'soon' }, /time span/],
  ] as const)('refuses %s with CONFIG_INVALID', (_name, options, message) => {
    expect(() => createVerifier(options as never)).toThrow(message)
    expect(() => createVerifier(options as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })
})

describe('cache', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('serves a repeated token from the cache and re-checks exp on a hit', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    const claims = createClaims({ secret: TEST_SECRET, clockTolerance: 0 })
    const token = await signToken({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 60 })
    const first = await claims.resolve(token)
    expect(await claims.resolve(token)).toBe(first)
    vi.setSystemTime(Date.now() + 61_000)
    expect(await rejection(claims.resolve(token))).toBe('TOKEN_EXPIRED')
  })

  it('re-checks nbf on a hit', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    const claims = createClaims({ secret: TEST_SECRET, clockTolerance: 5 })
    const token = await signToken({ nbf: Math.floor(Date.now() / 1000) + 3 })
    await claims.resolve(token)
    vi.setSystemTime(Date.now() - 10_000)
    expect(await rejection(claims.resolve(token))).toBe('TOKEN_NOT_YET_VALID')
  })

  it('keeps at most maxEntries tokens', async () => {
    const claims = createClaims({ secret: TEST_SECRET, cache: { maxEntries: 2 } })
    const tokens = await Promise.all([1, 2, 3].map((n) => signToken({ sub: `u${n}` })))
    const contexts = []
    for (const token of tokens) contexts.push(await claims.resolve(token))
    expect(await claims.resolve(tokens[2]!)).toBe(contexts[2])
    expect(await claims.resolve(tokens[0]!)).not.toBe(contexts[0])
  })

  it('verifies every time when turned off', async () => {
    const claims = createClaims({ secret: TEST_SECRET, cache: false })
    const token = await signToken({ sub: 'u1' })
    expect(await claims.resolve(token)).not.toBe(await claims.resolve(token))
  })

  it('hands out frozen claims, so one request cannot change another one’s', async () => {
    const claims = createClaims({ secret: TEST_SECRET })
    const context = await claims.resolve(await signToken({ sub: 'u1', nested: { a: 1 } }))
    expect(Object.isFrozen(context.payload)).toBe(true)
    expect(Object.isFrozen((context.payload as { nested: object }).nested)).toBe(true)
  })
})

describe('Standard Schema', () => {
  it.each([
    ['zod', z.object({ sub: z.string(), org_id: z.number().int() })],
    ['valibot', v.object({ sub: v.string(), org_id: v.pipe(v.number(), v.integer()) })],
  ] as const)('validates and types the claims with %s', async (_name, schema) => {
    const claims = createClaims({ secret: TEST_SECRET, schema })
    const context = await claims.resolve(await signToken({ sub: 'u1', org_id: 7 }))
    expect(context.claims).toMatchObject({ sub: 'u1', org_id: 7 })
    const error = await claims
      .resolve(await signToken({ sub: 'u1', org_id: 'seven' }))
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'CLAIM_INVALID', message: expect.stringContaining('org_id') })
  })

  it('keeps the signed payload, not the schema output, for the database', async () => {
    const claims = createClaims({ secret: TEST_SECRET, schema: z.object({ sub: z.string() }) })
    const context = await claims.resolve(await signToken({ sub: 'u1', extra: 'kept' }))
    expect(context.claims).toEqual({ sub: 'u1' })
    expect(JSON.parse(context.settings.find(([name]) => name === 'request.jwt.claims')![1])).toMatchObject({
      extra: 'kept',
    })
  })
})
