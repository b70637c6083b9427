import { PgClaimsError } from '../errors.js'

/**
 * Quotes a string as a PostgreSQL string literal. This is the single place in pg-claims where a
 * value becomes SQL text; every setting name and value goes through it.
 *
 * - Single quotes are doubled.
 * - If the value holds a backslash, the literal is written `E'…'` with backslashes doubled, so it
 *   means the same whatever `standard_conforming_strings` is set to.
 * - A NUL character or a lone UTF-16 surrogate cannot be stored in PostgreSQL text (the first is
 *   rejected, the second would be replaced when encoded to UTF-8): both throw `VALUE_NOT_STORABLE`
 *   instead of being changed silently.
 *
 * @example
 * ```ts
 * quoteLiteral("it's") // "'it''s'"
 * quoteLiteral('a\\b') // " E'a\\\\b'"
 * ```
 */
export function quoteLiteral(value: string): string {
  assertStorableText(value)
  const quoted = `'${value.replaceAll("'", "''")}'`
  return value.includes('\\') ? ` E${quoted.replaceAll('\\', '\\\\')}` : quoted
}

/**
 * Throws `VALUE_NOT_STORABLE` when `value` cannot be stored unchanged as PostgreSQL text.
 *
 * @example
 * ```ts
 * assertStorableText('ok') // returns
 * assertStorableText('a\u0000b') // throws PgClaimsError VALUE_NOT_STORABLE
 * ```
 */
export function assertStorableText(value: string, where = 'a value'): void {
  if (value.includes('\u0000')) {
    throw new PgClaimsError(
      'VALUE_NOT_STORABLE',
      `${where} contains a NUL character, which PostgreSQL text cannot hold`,
    )
  }
  if (!value.isWellFormed()) {
    throw new PgClaimsError(
      'VALUE_NOT_STORABLE',
      `${where} contains a lone UTF-16 surrogate, which has no UTF-8 encoding and would be changed`,
    )
  }
}
