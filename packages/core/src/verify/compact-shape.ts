import { PgClaimsError } from '../errors.js'

const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/

/**
 * Refuses, as `TOKEN_MALFORMED`, every spelling of a token but the one canonical compact JWS:
 * three base64url segments (the signature empty only for `alg: none`, which verification then
 * refuses by name), no whitespace, no `=` padding, no standard-base64 characters, and no unused
 * bits set in a segment's last character. Decoders accept all of these, so without this check
 * one signed token would have many spellings, each verified and cached on its own, and any list
 * keyed on the token string could be sidestepped.
 *
 * @example
 * ```ts
 * assertCompactShape('eyJhbGciOiJIUzI1NiJ9.e30.c2ln') // returns
 * assertCompactShape('eyJhbGciOiJIUzI1NiJ9.e30.c2ln=') // throws TOKEN_MALFORMED
 * ```
 */
export function assertCompactShape(token: string): void {
  const match = COMPACT_JWS.exec(token)
  if (match === null || !match.slice(1).every(isCanonicalBase64url)) {
    throw new PgClaimsError(
      'TOKEN_MALFORMED',
      'The token is not a compact JWS: three base64url segments separated by dots, without padding, whitespace or other characters',
    )
  }
}

function isCanonicalBase64url(segment: string): boolean {
  return segment.length % 4 !== 1 && Buffer.from(segment, 'base64url').toString('base64url') === segment
}
