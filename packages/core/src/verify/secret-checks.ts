import { PgClaimsError } from '../errors.js'

/** Fewest bytes an HMAC secret may have. */
const MIN_SECRET_BYTES = 32
/** Fewest distinct byte values an HMAC secret may have: `'a'.repeat(64)` has one. */
const MIN_DISTINCT_BYTES = 8

/**
 * Checks an HMAC secret once, at configuration time, and returns its bytes. Refused with
 * `CONFIG_INVALID`: fewer than 32 bytes; a PEM key or a JWK (a public key passed as `secret` would
 * let anyone who has the public key mint tokens); too little variety (fewer than 8 distinct bytes,
 * or one short string repeated, like `'changeme-changeme-…'`).
 *
 * @example
 * ```ts
 * checkedSecret('a-string-secret-at-least-32-bytes-long') // Uint8Array(38)
 * checkedSecret('a'.repeat(64)) // throws CONFIG_INVALID
 * ```
 */
export function checkedSecret(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  const text = typeof secret === 'string' ? secret : new TextDecoder().decode(secret)
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    refuse(`secret must be at least ${MIN_SECRET_BYTES} bytes; got ${bytes.byteLength}`)
  }
  if (text.trimStart().startsWith('-----BEGIN')) {
    refuse('secret is a PEM key; a public key goes in publicKey (RS/PS/ES/EdDSA), never in secret (HMAC)')
  }
  if (isJwk(text)) {
    refuse('secret is a JWK; a public key goes in publicKey or jwks, never in secret (HMAC)')
  }
  if (new Set(bytes).size < MIN_DISTINCT_BYTES || isRepetition(text)) {
    refuse(
      'secret has too little variety (few distinct characters, or one short string repeated); use random bytes, e.g. `openssl rand -base64 32`',
    )
  }
  return bytes
}

function isJwk(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed !== null && typeof parsed === 'object' && ('kty' in parsed || 'keys' in parsed)
  } catch {
    return false
  }
}

/** Whether `text` is one shorter string written two or more times. */
function isRepetition(text: string): boolean {
  return `${text}${text}`.indexOf(text, 1) < text.length
}

function refuse(message: string): never {
  throw new PgClaimsError('CONFIG_INVALID', message)
}
