import { type Claims, createClaims } from '@pg-claims/core'
import { type JWTPayload, SignJWT } from 'jose'

/**
 * The example's development secret (HS256). Set `JWT_SECRET` to use your own.
 *
 * @example
 * ```ts
 * const claims = exampleClaims(process.env.JWT_SECRET ?? EXAMPLE_SECRET)
 * ```
 */
export const EXAMPLE_SECRET = 'http-example-secret-at-least-32-bytes-long'

/**
 * The audience the example's tokens must name.
 *
 * @example
 * ```ts
 * await signToken({ sub: 'alice', aud: EXAMPLE_AUDIENCE }, { key: EXAMPLE_SECRET })
 * ```
 */
export const EXAMPLE_AUDIENCE = 'notes-api'

/**
 * The example's claims pipeline: HS256 tokens for audience `notes-api`; a missing token is the
 * `anon` role; a token may switch to `anon` or `authenticated` only.
 *
 * @example
 * ```ts
 * const claims = exampleClaims(process.env.JWT_SECRET)
 * ```
 */
export function exampleClaims(secret: string = EXAMPLE_SECRET): Claims {
  return createClaims({
    secret,
    audience: EXAMPLE_AUDIENCE,
    roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
  })
}

/**
 * Mints a token the example accepts (a development stand-in for your identity provider).
 *
 * @example
 * ```ts
 * const alice = await mintToken({ sub: 'alice', role: 'authenticated' })
 * ```
 */
export function mintToken(
  claims: JWTPayload,
  secret: string = EXAMPLE_SECRET,
  expiresIn = '1h',
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(EXAMPLE_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret))
}
