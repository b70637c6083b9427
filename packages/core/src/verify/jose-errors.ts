import { decodeProtectedHeader, errors } from 'jose'
import { PgClaimsError, type PgClaimsErrorCode } from '../errors.js'

const CODE_BY_JOSE_CODE: Readonly<Record<string, PgClaimsErrorCode>> = {
  ERR_JWT_EXPIRED: 'TOKEN_EXPIRED',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'TOKEN_SIGNATURE_INVALID',
  ERR_JOSE_ALG_NOT_ALLOWED: 'TOKEN_ALGORITHM_NOT_ALLOWED',
  ERR_JOSE_NOT_SUPPORTED: 'TOKEN_ALGORITHM_NOT_ALLOWED',
  ERR_JWS_INVALID: 'TOKEN_MALFORMED',
  ERR_JWT_INVALID: 'TOKEN_MALFORMED',
  ERR_JWKS_NO_MATCHING_KEY: 'TOKEN_KEY_NOT_FOUND',
  ERR_JWKS_TIMEOUT: 'JWKS_UNAVAILABLE',
  ERR_JWKS_INVALID: 'JWKS_UNAVAILABLE',
  ERR_JWK_INVALID: 'JWKS_UNAVAILABLE',
}

/**
 * Turns what jose threw while verifying into a {@link PgClaimsError} with a stable code. Errors
 * that are not jose's (a failed JWKS fetch) become `JWKS_UNAVAILABLE` when a remote key set is in
 * use, and `TOKEN_SIGNATURE_INVALID` (the key could not check the signature) otherwise: nothing
 * raw reaches the caller. jose reports an unknown `crit` extension as "not supported", like an
 * unsupported algorithm; the token's header tells them apart.
 */
export function fromJoseError(error: unknown, remoteKeys: boolean, token: string): PgClaimsError {
  if (error instanceof errors.JOSENotSupported && hasCrit(token)) {
    return new PgClaimsError(
      'TOKEN_CRIT_UNSUPPORTED',
      `Token rejected: its "crit" header names an extension pg-claims does not support (${error.message})`,
      { cause: error },
    )
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const code = error.claim === 'nbf' ? 'TOKEN_NOT_YET_VALID' : 'CLAIM_INVALID'
    return new PgClaimsError(code, `Token rejected: ${error.message}`, { cause: error })
  }
  if (error instanceof errors.JOSEError) {
    const code = CODE_BY_JOSE_CODE[error.code] ?? 'TOKEN_MALFORMED'
    return new PgClaimsError(code, `Token rejected: ${error.message}`, { cause: error })
  }
  if (remoteKeys) {
    return new PgClaimsError('JWKS_UNAVAILABLE', 'The JWKS could not be fetched', { cause: error })
  }
  return new PgClaimsError('TOKEN_SIGNATURE_INVALID', 'The configured key could not verify the token', {
    cause: error,
  })
}

function hasCrit(token: string): boolean {
  try {
    return decodeProtectedHeader(token).crit !== undefined
  } catch {
    return false
  }
}
