import { createPublicKey, KeyObject } from 'node:crypto'
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWK,
  type JWSAlgorithm,
  type JWTVerifyGetKey,
  type RemoteJWKSetOptions,
} from 'jose'
import { PgClaimsError } from '../errors.js'
import { assertJwksRsaModuli, assertRsaModulus, refuseRsaPssKeyObject } from './rsa-keys.js'
import { checkedSecret } from './secret-checks.js'

/**
 * Where the verification key comes from: exactly one of these.
 *
 * @example
 * ```ts
 * const hs: KeyOptions = { secret: process.env.JWT_SECRET! }                 // HS256/384/512
 * const pem: KeyOptions = { publicKey: fs.readFileSync('public.pem', 'utf8') } // RS/PS/ES/EdDSA
 * const jwks: KeyOptions = { jwksUrl: 'https://issuer.example/.well-known/jwks.json' }
 * ```
 */
export interface KeyOptions {
  /** A shared secret for HS256/384/512: at least 32 random bytes, never a PEM or JWK. */
  readonly secret?: string | Uint8Array
  /** A public key: PEM (SPKI or X.509 certificate), a JWK, a `KeyObject` or a `CryptoKey`. */
  readonly publicKey?: string | JWK | KeyObject | CryptoKey
  /** An inline JSON Web Key Set. */
  readonly jwks?: JSONWebKeySet
  /** A JWKS URL, fetched and cached by jose (refetched on an unknown `kid`, so keys can rotate). https only, except on loopback. */
  readonly jwksUrl?: string | URL
  /** jose's remote JWKS options: `cacheMaxAge`, `cooldownDuration`, `timeoutDuration`, `headers`. */
  readonly jwksOptions?: RemoteJWKSetOptions
  /** The algorithms a token may use. Defaults to every algorithm the key supports; `none` is never accepted. */
  readonly algorithms?: readonly JWSAlgorithm[]
}

/** A key and the algorithms that may be verified with it. */
export interface VerificationKey {
  readonly key: KeyObject | CryptoKey | Uint8Array | JWTVerifyGetKey
  readonly algorithms: readonly JWSAlgorithm[]
}

const HMAC: readonly JWSAlgorithm[] = ['HS256', 'HS384', 'HS512']
const RSA: readonly JWSAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
const EDDSA: readonly JWSAlgorithm[] = ['EdDSA', 'Ed25519']
const EC_BY_CURVE: Readonly<Record<string, readonly JWSAlgorithm[]>> = {
  prime256v1: ['ES256'],
  secp384r1: ['ES384'],
  secp521r1: ['ES512'],
}
const ASYMMETRIC: readonly JWSAlgorithm[] = [...RSA, 'ES256', 'ES384', 'ES512', ...EDDSA]
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Resolves key options into a key and its algorithm allow-list, once, at configuration time.
 * HMAC algorithms go only with a secret and asymmetric ones only with public keys, so a token can
 * never make pg-claims verify an HS256 signature with a public key (algorithm confusion).
 *
 * @example
 * ```ts
 * resolveVerificationKey({ secret: 'a-string-secret-at-least-32-bytes-long' }).algorithms
 * // ['HS256', 'HS384', 'HS512']
 * ```
 */
export function resolveVerificationKey(options: KeyOptions): VerificationKey {
  const sources = (['secret', 'publicKey', 'jwks', 'jwksUrl'] as const).filter(
    (name) => options[name] !== undefined,
  )
  if (sources.length !== 1) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      sources.length === 0
        ? 'No verification key: give one of secret, publicKey, jwks or jwksUrl'
        : `Give exactly one verification key; got ${sources.join(' and ')}`,
    )
  }
  const { key, supported } = keyAndSupportedAlgorithms(options)
  return { key, algorithms: allowedAlgorithms(options.algorithms, supported) }
}

function keyAndSupportedAlgorithms(options: KeyOptions): {
  key: VerificationKey['key']
  supported: readonly JWSAlgorithm[]
} {
  if (options.secret !== undefined) {
    const secret = checkedSecret(options.secret)
    return { key: secret, supported: HMAC }
  }
  if (options.publicKey !== undefined) return publicKeyAndAlgorithms(options.publicKey)
  if (options.jwks !== undefined) {
    if (!Array.isArray(options.jwks.keys))
      throw new PgClaimsError('CONFIG_INVALID', 'jwks must be a key set: { keys: [...] }')
    assertJwksRsaModuli(options.jwks)
    return { key: createLocalJWKSet(options.jwks), supported: ASYMMETRIC }
  }
  return { key: createRemoteJWKSet(jwksUrl(options.jwksUrl!), options.jwksOptions), supported: ASYMMETRIC }
}

function publicKeyAndAlgorithms(publicKey: NonNullable<KeyOptions['publicKey']>): {
  key: KeyObject | CryptoKey
  supported: readonly JWSAlgorithm[]
} {
  if (isCryptoKey(publicKey)) {
    if (publicKey.type !== 'public')
      throw new PgClaimsError('CONFIG_INVALID', 'publicKey must be a public CryptoKey')
    return { key: publicKey, supported: algorithmsOfCryptoKey(publicKey) }
  }
  let key: KeyObject
  try {
    key =
      typeof publicKey === 'string'
        ? createPublicKey(publicKey)
        : publicKey instanceof KeyObject
          ? publicKey
          : createPublicKey({ key: publicKey as JWK & Record<string, unknown>, format: 'jwk' })
  } catch (error) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      'publicKey is not a readable PEM public key, certificate or JWK',
      {
        cause: error,
      },
    )
  }
  if (key.type !== 'public')
    throw new PgClaimsError('CONFIG_INVALID', 'publicKey must be a public key, not a secret')
  const supported = algorithmsOfKeyObject(key)
  const jwkAlg = typeof publicKey === 'object' && 'alg' in publicKey ? publicKey.alg : undefined
  return {
    key,
    supported: typeof jwkAlg === 'string' ? supported.filter((alg) => alg === jwkAlg) : supported,
  }
}

function algorithmsOfKeyObject(key: KeyObject): readonly JWSAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      assertRsaModulus(key.asymmetricKeyDetails?.modulusLength, 'publicKey')
      return RSA
    case 'rsa-pss':
      return refuseRsaPssKeyObject()
    case 'ed25519':
      return EDDSA
    case 'ec':
      return (
        EC_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''] ??
        unsupportedKey(key.asymmetricKeyDetails?.namedCurve)
      )
    default:
      return unsupportedKey(key.asymmetricKeyType)
  }
}

function algorithmsOfCryptoKey(key: CryptoKey): readonly JWSAlgorithm[] {
  const algorithm = key.algorithm as {
    name: string
    namedCurve?: string
    hash?: { name: string }
    modulusLength?: number
  }
  assertRsaModulus(algorithm.modulusLength, 'publicKey')
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS': {
      // a CryptoKey is bound to one hash: SHA-256 → RS256 or PS256
      const prefix = algorithm.name === 'RSA-PSS' ? 'PS' : 'RS'
      return RSA.filter((alg) => alg === `${prefix}${algorithm.hash?.name.slice(4)}`)
    }
    case 'ECDSA':
      return { 'P-256': ['ES256'], 'P-384': ['ES384'], 'P-521': ['ES512'] }[
        algorithm.namedCurve ?? ''
      ] as JWSAlgorithm[]
    case 'Ed25519':
      return EDDSA
    default:
      return unsupportedKey(algorithm.name)
  }
}

function unsupportedKey(kind: string | undefined): never {
  throw new PgClaimsError(
    'CONFIG_INVALID',
    `publicKey is a ${kind ?? 'unknown'} key, which no JWS algorithm here uses`,
  )
}

function allowedAlgorithms(
  requested: readonly JWSAlgorithm[] | undefined,
  supported: readonly JWSAlgorithm[],
): readonly JWSAlgorithm[] {
  if (requested === undefined) return supported
  if (requested.length === 0)
    throw new PgClaimsError('CONFIG_INVALID', 'algorithms is empty: no token could verify')
  const unsupported = requested.filter((alg) => !supported.includes(alg))
  if (unsupported.length > 0) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `algorithms ${unsupported.join(', ')} cannot be used with this key (it supports ${supported.join(', ')}); HMAC algorithms need a secret and the others a public key`,
    )
  }
  return [...requested]
}

function jwksUrl(value: string | URL): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch (error) {
    throw new PgClaimsError('CONFIG_INVALID', `jwksUrl is not a URL: ${String(value)}`, { cause: error })
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `jwksUrl must use https (http is allowed only on loopback); got ${url.origin}`,
    )
  }
  return url
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === 'object' &&
    value !== null &&
    'algorithm' in value &&
    'usages' in value &&
    'type' in value
  )
}
