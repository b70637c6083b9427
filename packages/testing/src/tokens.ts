import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { type JWTPayload, SignJWT } from 'jose'

/** A secret long enough for HS256/384/512 (32+ bytes). */
export const TEST_SECRET = 'pg-claims-test-secret-0123456789abcdef'

/**
 * Asymmetric key pairs for every algorithm family the tests sign with.
 *
 * @example
 * ```ts
 * const keys = testKeyPairs()
 * const token = await signToken({ sub: 'u1' }, { alg: 'ES256', key: keys.es256.privateKey })
 * ```
 */
export function testKeyPairs() {
  return {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    es256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    es384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    es512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
    ed25519: generateKeyPairSync('ed25519'),
  }
}

/**
 * Signs a token for a test. Defaults: HS256 with {@link TEST_SECRET}, `iat` now, `exp` in an hour
 * (pass `exp: undefined` in `options` to leave it out).
 *
 * @example
 * ```ts
 * const token = await signToken({ sub: 'user-1', role: 'authenticated' })
 * ```
 */
export async function signToken(
  claims: JWTPayload,
  options: {
    alg?: string
    key?: KeyObject | Uint8Array | string
    kid?: string
    header?: Record<string, unknown>
  } = {},
): Promise<string> {
  const alg = options.alg ?? 'HS256'
  const rawKey = options.key ?? TEST_SECRET
  const key = typeof rawKey === 'string' ? new TextEncoder().encode(rawKey) : rawKey
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ iat: now, exp: now + 3600, ...claims })
    .setProtectedHeader({ alg, ...(options.kid !== undefined && { kid: options.kid }), ...options.header })
    .sign(key)
}

/**
 * Builds a token from raw parts without signing: for malformed and `alg: none` cases.
 *
 * @example
 * ```ts
 * const none = unsignedToken({ alg: 'none' }, { sub: 'u1' }) // "eyJ….eyJ…."
 * ```
 */
export function unsignedToken(header: Record<string, unknown>, payload: unknown, signature = ''): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${encode(header)}.${encode(payload)}.${signature}`
}
