import { errors, type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose'
import type { VerificationKey } from './keys.js'

/**
 * jose's `jwtVerify`, except that a key set with several keys matching the token (no `kid`, two
 * keys of its type) tries each of them in turn, as jose's `JWKSMultipleMatchingKeys` allows,
 * instead of failing. The first key whose signature matches decides; when none does, the error is
 * jose's signature failure.
 *
 * @example
 * ```ts
 * const { payload } = await verifyJwt(token, createLocalJWKSet(jwks), { algorithms: ['ES256'] })
 * ```
 */
export async function verifyJwt(
  token: string,
  key: VerificationKey['key'],
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], options)).payload
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt
      }
    }
    throw new errors.JWSSignatureVerificationFailed()
  }
}
