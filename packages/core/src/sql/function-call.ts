import { PgClaimsError } from '../errors.js'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/

/**
 * Quotes one identifier for SQL text: wrapped in double quotes, each double quote doubled. The one
 * path by which a name pg-claims was configured with (the `preRequest` function) reaches SQL.
 *
 * @example
 * ```ts
 * quoteIdentifier('check_request') // '"check_request"'
 * ```
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * The call of a function with no arguments given as `'schema.function'` (as PostgREST's
 * `db-pre-request` names it): `"schema"."function"()`, an expression. Both parts must be plain
 * identifiers (letters, digits, `_`, `$`; at most 63 bytes) and are matched exactly, case included.
 * Anything else throws `CONFIG_INVALID`, at startup.
 *
 * @example
 * ```ts
 * functionCall('api.check_request') // '"api"."check_request"()'
 * ```
 */
export function functionCall(qualifiedName: string): string {
  const parts = qualifiedName.split('.')
  if (parts.length !== 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `preRequest "${qualifiedName}" must be "schema.function": two plain identifiers (letters, digits, _ and $), as stored in the catalog`,
    )
  }
  return `${parts.map(quoteIdentifier).join('.')}()`
}
