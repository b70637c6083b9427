import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { JWTPayload } from 'jose'
import { PgClaimsError } from '../errors.js'
import { assertExactNumbers } from '../serialize/exact-numbers.js'
import { assertCompactShape } from './compact-shape.js'
import { fromJoseError } from './jose-errors.js'
import { verifyJwt } from './jwt-verify.js'
import { resolveVerificationKey } from './keys.js'
import { clockToleranceOption, positiveIntegerOption } from './number-options.js'
import { timeSpanSeconds } from './time-span.js'
import type { VerifyOptions } from './verify-options.js'

/**
 * A token that passed verification: its payload exactly as signed, and the schema's output (the
 * payload itself when there is no schema).
 *
 * @example
 * ```ts
 * const { payload, claims } = await verifier.verify(token)
 * ```
 */
export interface VerifiedToken<TClaims> {
  /** The claims set as signed; this is what reaches PostgreSQL. */
  readonly payload: Readonly<JWTPayload>
  /** The schema's output, typed; the payload when there is no schema. */
  readonly claims: TClaims
}

/**
 * Verifies tokens with fixed options.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ secret: process.env.JWT_SECRET! })
 * const { claims } = await verifier.verify(token)
 * ```
 */
export interface Verifier<TClaims> {
  verify(token: string): Promise<VerifiedToken<TClaims>>
  /** Leeway and maximum age in seconds, for re-checking cached tokens. */
  readonly timeChecks: { readonly clockTolerance: number; readonly maxTokenAgeSeconds: number | undefined }
}

const DEFAULT_MAX_TOKEN_SIZE = 16_384

/**
 * Builds a verifier on jose. Options are checked here, once; a bad option throws `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ jwksUrl: 'https://issuer.example/.well-known/jwks.json', audience: 'api' })
 * ```
 */
export function createVerifier<TClaims>(options: VerifyOptions<TClaims>): Verifier<TClaims> {
  const { key, algorithms } = resolveVerificationKey(options)
  const remoteKeys = options.jwksUrl !== undefined
  const maxTokenSize = positiveIntegerOption('maxTokenSize', options.maxTokenSize, DEFAULT_MAX_TOKEN_SIZE)
  const clockTolerance = clockToleranceOption(options.clockTolerance)
  const maxTokenAgeSeconds =
    options.maxTokenAge === undefined ? undefined : timeSpanSeconds(options.maxTokenAge)
  const joseOptions = {
    algorithms: [...algorithms],
    clockTolerance,
    ...(options.issuer !== undefined && {
      issuer: typeof options.issuer === 'string' ? options.issuer : [...options.issuer],
    }),
    ...(options.audience !== undefined && {
      audience: typeof options.audience === 'string' ? options.audience : [...options.audience],
    }),
    ...(maxTokenAgeSeconds !== undefined && { maxTokenAge: maxTokenAgeSeconds }),
    ...(options.requiredClaims !== undefined && { requiredClaims: [...options.requiredClaims] }),
  }
  const schema = options.schema

  return {
    timeChecks: { clockTolerance, maxTokenAgeSeconds },
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0) {
        throw new PgClaimsError('TOKEN_MALFORMED', 'The token must be a non-empty string (a compact JWS)')
      }
      if (token.length > maxTokenSize) {
        throw new PgClaimsError(
          'TOKEN_TOO_LARGE',
          `The token is ${token.length} characters; maxTokenSize allows ${maxTokenSize}`,
        )
      }
      assertCompactShape(token)
      let payload: JWTPayload
      try {
        payload = await verifyJwt(token, key, joseOptions)
      } catch (error) {
        throw fromJoseError(error, remoteKeys, token)
      }
      // jose parsed the payload with JSON.parse; check its numbers against the text as signed.
      assertExactNumbers(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
      const claims = schema === undefined ? (payload as TClaims) : await validated(schema, payload)
      return { payload, claims }
    },
  }
}

async function validated<TClaims>(
  schema: StandardSchemaV1<unknown, TClaims>,
  payload: JWTPayload,
): Promise<TClaims> {
  let result: StandardSchemaV1.Result<TClaims>
  try {
    result = await schema['~standard'].validate(payload)
  } catch (error) {
    throw new PgClaimsError('CLAIM_INVALID', 'The schema threw while validating the claims', {
      cause: error,
    })
  }
  if (result.issues === undefined) return result.value
  const details = result.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path?.map((part) => String(typeof part === 'object' ? part.key : part)).join('.')
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
  throw new PgClaimsError('CLAIM_INVALID', `The claims do not match the schema: ${details}`)
}
