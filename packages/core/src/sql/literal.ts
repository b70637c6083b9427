import { PgClaimsError } from '../errors.js'

/** Printable ASCII without the backslash: text that means the same under every client encoding. */
const PLAIN_TEXT = /^[\x20-\x5b\x5d-\x7e]*$/

/**
 * Writes a string as a PostgreSQL expression of type text. This is the single place in pg-claims
 * where a value becomes SQL text; every setting name and value written as text goes through it.
 *
 * What it returns is pure ASCII and holds no backslash, so it is read the same whatever the
 * session's `client_encoding`, `standard_conforming_strings` or `backslash_quote` (a multibyte
 * character can never swallow an escape and close the literal early):
 * - printable ASCII without a backslash: a plain literal, single quotes doubled;
 * - anything else: `pg_catalog.convert_from(pg_catalog.decode('<hex of the UTF-8 bytes>', 'hex'), 'UTF8')`.
 *
 * A NUL character or a lone UTF-16 surrogate cannot be stored in PostgreSQL text (the first is
 * rejected, the second would be replaced when encoded to UTF-8): both throw `VALUE_NOT_STORABLE`
 * instead of being changed silently.
 *
 * @example
 * ```ts
 * quoteLiteral("it's") // "'it''s'"
 * quoteLiteral('a\\b') // "pg_catalog.convert_from(pg_catalog.decode('615c62', 'hex'), 'UTF8')"
 * ```
 */
export function quoteLiteral(value: string): string {
  assertStorableText(value)
  if (PLAIN_TEXT.test(value)) return `'${value.replaceAll("'", "''")}'`
  return `pg_catalog.convert_from(pg_catalog.decode('${Buffer.from(value, 'utf8').toString('hex')}', 'hex'), 'UTF8')`
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
