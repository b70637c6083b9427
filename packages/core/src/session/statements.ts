import type { ClaimsContext } from '../serialize/context.js'
import type { Setting } from '../serialize/settings.js'
import { beginStatement, type TransactionOptions } from './transaction-options.js'

/**
 * A statement with its bind parameters.
 *
 * @example
 * ```ts
 * const statement: Statement = { text: 'select $1::int', values: ['1'] }
 * ```
 */
export interface Statement {
  readonly text: string
  readonly values: readonly string[]
}

/** `COMMIT`, as sent to end every claims transaction. */
export const COMMIT = 'COMMIT'
/** `ROLLBACK`, as sent when a claims transaction fails. */
export const ROLLBACK = 'ROLLBACK'

const parameterTexts: string[] = []

/**
 * The settings as ONE statement whose names and values are bind parameters: the statement text
 * depends only on how many settings there are, so no claim, role or setting name is ever part of
 * it (query logs, `pg_stat_activity` and tracing spans see `$1`, `$2`, …). Like `setConfigSql`, it
 * answers one row of no columns, and is one `ROWS FROM` function scan calling them in order.
 *
 * @example
 * ```ts
 * settingsStatement([['role', 'anon']])
 * // { text: 'SELECT FROM ROWS FROM (pg_catalog.set_config($1, $2, true)) s', values: ['role', 'anon'] }
 * ```
 */
export function settingsStatement(settings: readonly Setting[]): Statement {
  const count = settings.length
  parameterTexts[count] ??= `SELECT FROM ROWS FROM (${Array.from(
    { length: count },
    (_, index) => `pg_catalog.set_config($${2 * index + 1}, $${2 * index + 2}, true)`,
  ).join(', ')}) s`
  return { text: parameterTexts[count], values: settings.flat() }
}

/**
 * The single simple-protocol message that opens a claims transaction on a connection that does not
 * pipeline: `BEGIN …; SELECT FROM ROWS FROM (pg_catalog.set_config(…), …) s`, then the pre-request function's
 * call when one is configured. One message, one flight: the same as a plain `BEGIN`.
 *
 * @example
 * ```ts
 * await client.query(beginWithClaimsSql(context, { accessMode: 'read only' }))
 * ```
 */
export function beginWithClaimsSql(context: ClaimsContext<unknown>, options?: TransactionOptions): string {
  const preRequest = context.preRequestSql === undefined ? '' : `; ${context.preRequestSql}`
  return `${beginStatement(options)}; ${context.settingsSql}${preRequest}`
}
