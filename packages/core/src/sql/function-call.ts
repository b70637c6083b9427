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
 * A function given as `'schema.function'` (as PostgREST's `db-pre-request` names it), as its two
 * names. Both parts must be plain identifiers (letters, digits, `_`, `$`; at most 63 bytes) and are
 * matched exactly, case included. Anything else throws `CONFIG_INVALID`, at startup.
 *
 * @example
 * ```ts
 * functionName('api.check_request') // { schema: 'api', name: 'check_request' }
 * ```
 */
export function functionName(qualifiedName: string): { schema: string; name: string } {
  const [schema = '', name = '', ...rest] = qualifiedName.split('.')
  if (rest.length > 0 || !IDENTIFIER.test(schema) || !IDENTIFIER.test(name)) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `preRequest "${qualifiedName}" must be "schema.function": two plain identifiers (letters, digits, _ and $), as stored in the catalog`,
    )
  }
  return { schema, name }
}

/**
 * The call of a function with no arguments given as `'schema.function'` (see
 * {@link functionName}): `"schema"."function"()`, an expression.
 *
 * @example
 * ```ts
 * functionCall('api.check_request') // '"api"."check_request"()'
 * ```
 */
export function functionCall(qualifiedName: string): string {
  const { schema, name } = functionName(qualifiedName)
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}()`
}
