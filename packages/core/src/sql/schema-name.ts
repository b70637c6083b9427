import { PgClaimsError } from '../errors.js'

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * The schema the SQL helpers live in unless told otherwise.
 *
 * @example
 * ```ts
 * helpersSql({ schema: DEFAULT_HELPERS_SCHEMA }) // the same as helpersSql()
 * ```
 */
export const DEFAULT_HELPERS_SCHEMA = 'auth'

/**
 * Checks the helpers' schema name: lower-case letters, digits and underscores, at most 63 bytes,
 * so it can stand in SQL unquoted and means the same everywhere.
 *
 * @example
 * ```ts
 * helpersSchemaName('auth') // 'auth'
 * helpersSchemaName('Auth"; drop') // throws PgClaimsError CONFIG_INVALID
 * helpersSchemaName('pg_claims') // throws: pg_ is reserved
 * ```
 */
export function helpersSchemaName(schema: string = DEFAULT_HELPERS_SCHEMA): string {
  if (schema.startsWith('pg_')) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `schema "${schema}": names starting with pg_ are reserved by PostgreSQL`,
    )
  }
  if (!SCHEMA_NAME.test(schema)) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `schema "${schema}" must be lower-case letters, digits and underscores (at most 63), starting with a letter or _`,
    )
  }
  return schema
}
