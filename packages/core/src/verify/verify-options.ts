import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { KeyOptions } from './keys.js'
import type { TokenCacheOptions } from './token-cache.js'

/**
 * How tokens are verified: the key, the claim checks, the size limit, the cache, and an optional
 * Standard Schema (zod, valibot, arktype…) that validates the payload and gives it its type.
 *
 * @example
 * ```ts
 * const options: VerifyOptions = {
 *   secret: process.env.JWT_SECRET!,
 *   issuer: 'https://auth.example.com',
 *   audience: 'api',
 *   clockTolerance: 30,
 *   maxTokenAge: '1h',
 *   requiredClaims: ['sub'],
 * }
 * ```
 */
export interface VerifyOptions<TClaims = unknown> extends KeyOptions {
  /** Accepted `iss` value(s). */
  readonly issuer?: string | readonly string[]
  /** Accepted `aud` value(s); the token must name one of them. */
  readonly audience?: string | readonly string[]
  /** Leeway for `exp`, `nbf` and `maxTokenAge`, in seconds. Default 30 (as PostgREST). */
  readonly clockTolerance?: number
  /** Oldest `iat` accepted: seconds, or a jose time span like `'2h'`. Makes `iat` required. */
  readonly maxTokenAge?: number | string
  /** Claims that must be present. */
  readonly requiredClaims?: readonly string[]
  /** Longest token accepted, in characters, checked before anything else. Default 16384. */
  readonly maxTokenSize?: number
  /** The verified-token cache; `false` turns it off. */
  readonly cache?: TokenCacheOptions
  /** A Standard Schema for the payload: its output type becomes the claims type. */
  readonly schema?: StandardSchemaV1<unknown, TClaims>
}
