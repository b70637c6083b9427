import { PgClaimsError } from '../errors.js'

/**
 * How a claims transaction begins; the same words as Kysely and Drizzle use.
 *
 * @example
 * ```ts
 * const options: TransactionOptions = { isolationLevel: 'serializable', accessMode: 'read only', deferrable: true }
 * ```
 */
export interface TransactionOptions {
  readonly isolationLevel?:
    | 'read uncommitted'
    | 'read committed'
    | 'repeatable read'
    | 'serializable'
    | undefined
  readonly accessMode?: 'read only' | 'read write' | undefined
  readonly deferrable?: boolean | undefined
}

const ISOLATION_SQL: Readonly<Record<string, string>> = {
  'read uncommitted': ' ISOLATION LEVEL READ UNCOMMITTED',
  'read committed': ' ISOLATION LEVEL READ COMMITTED',
  'repeatable read': ' ISOLATION LEVEL REPEATABLE READ',
  serializable: ' ISOLATION LEVEL SERIALIZABLE',
}
const ACCESS_SQL: Readonly<Record<string, string>> = {
  'read only': ' READ ONLY',
  'read write': ' READ WRITE',
}

/**
 * The `BEGIN` statement for the options, built only from fixed keywords.
 *
 * @example
 * ```ts
 * beginStatement({ isolationLevel: 'serializable', accessMode: 'read only' })
 * // 'BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY'
 * ```
 */
export function beginStatement(options: TransactionOptions = {}): string {
  return `BEGIN${keyword(ISOLATION_SQL, 'isolationLevel', options.isolationLevel)}${keyword(ACCESS_SQL, 'accessMode', options.accessMode)}${
    options.deferrable === undefined ? '' : options.deferrable ? ' DEFERRABLE' : ' NOT DEFERRABLE'
  }`
}

function keyword(table: Readonly<Record<string, string>>, option: string, value: string | undefined): string {
  if (value === undefined) return ''
  const sql = Object.hasOwn(table, value) ? table[value] : undefined
  if (sql === undefined) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `${option} "${value}" is not one of: ${Object.keys(table).join(', ')}`,
    )
  }
  return sql
}
