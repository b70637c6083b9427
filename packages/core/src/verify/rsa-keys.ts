import type { JSONWebKeySet } from 'jose'
import { PgClaimsError } from '../errors.js'

/** The smallest RSA modulus jose verifies with; a smaller key would fail every token. */
const MIN_RSA_BITS = 2048

/**
 * Throws `CONFIG_INVALID` when an RSA modulus is under 2048 bits: jose refuses such keys on every
 * token, with a raw error, so the mistake is reported at startup instead.
 *
 * @example
 * ```ts
 * assertRsaModulus(2048, 'publicKey') // returns
 * assertRsaModulus(1024, 'publicKey') // throws CONFIG_INVALID
 * ```
 */
export function assertRsaModulus(bits: number | undefined, where: string): void {
  if (bits !== undefined && bits < MIN_RSA_BITS) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `${where} is a ${bits}-bit RSA key; RSA keys must be at least ${MIN_RSA_BITS} bits`,
    )
  }
}

/**
 * Throws `CONFIG_INVALID` for a key object of type `rsa-pss` (an `id-RSASSA-PSS` SPKI): jose cannot
 * use one, so every token would fail with a raw error. The same key as a plain RSA public key
 * (`rsaEncryption` SPKI, `BEGIN PUBLIC KEY` from `openssl rsa -pubout`) verifies PS256/384/512.
 *
 * @example
 * ```ts
 * refuseRsaPssKeyObject() // throws CONFIG_INVALID
 * ```
 */
export function refuseRsaPssKeyObject(): never {
  throw new PgClaimsError(
    'CONFIG_INVALID',
    'publicKey is an RSA-PSS-only key (id-RSASSA-PSS), which jose cannot verify with: give the same key as a plain RSA public key (rsaEncryption SPKI); it verifies PS256/384/512',
  )
}

/**
 * Checks the RSA keys of an inline JWKS for their size ({@link assertRsaModulus}).
 *
 * @example
 * ```ts
 * assertJwksRsaModuli({ keys: [rsaJwk] })
 * ```
 */
export function assertJwksRsaModuli(jwks: JSONWebKeySet): void {
  jwks.keys.forEach((jwk, index) => {
    if (jwk.kty === 'RSA' && typeof jwk.n === 'string') {
      const modulus = Buffer.from(jwk.n, 'base64url')
      const leadingZeros = modulus[0] === undefined ? 0 : Math.clz32(modulus[0]) - 24
      assertRsaModulus(
        modulus.length * 8 - leadingZeros,
        `jwks.keys[${index}]${jwk.kid ? ` (kid ${jwk.kid})` : ''}`,
      )
    }
  })
}
