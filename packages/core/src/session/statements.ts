import type { ClaimsContext } from '../serialize/context.js'
import type { Setting } from '../serialize/settings.js'
import { quoteLiteral } from '../sql/literal.js'
import { applySettingsSql } from '../sql/set-config.js'
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

/** The settings statements' texts, by pre-request call ('' for none), then by number of settings. */
const parameterTexts = new Map<string, string[]>()

/**
 * The settings as ONE statement whose names and values are bind parameters: the statement text
 * depends only on how many settings there are (and on the configured pre-request function), so no
 * claim, role or setting name is ever part of it (query logs, `pg_stat_activity` and tracing spans
 * see `$1`, `$2`, …). Like `setConfigSql`, it calls them in order as the elements of one array in
 * its `WHERE` clause, then the pre-request function's call (`context.preRequestCall`) when one is
 * configured.
 *
 * @example
 * ```ts
 * settingsStatement([['role', 'anon']])
 * // { text: 'SELECT WHERE pg_catalog.cardinality(ARRAY[pg_catalog.set_config($1, $2, true)]) = 1',
 * //   values: ['role', 'anon'] }
 * ```
 */
export function settingsStatement(settings: readonly Setting[], preRequestCall?: string): Statement {
  const count = settings.length
  const key = preRequestCall ?? ''
  let texts = parameterTexts.get(key)
  if (texts === undefined) {
    texts = []
    parameterTexts.set(key, texts)
  }
  texts[count] ??= applySettingsSql(
    Array.from(
      { length: count },
      (_, index) => `pg_catalog.set_config($${2 * index + 1}, $${2 * index + 2}, true)`,
    ),
    preRequestCall,
  )
  return { text: texts[count], values: settings.flat() }
}

/**
 * The single simple-protocol message that opens a claims transaction on a connection that does not
 * pipeline: `BEGIN …; SELECT WHERE pg_catalog.cardinality(ARRAY[pg_catalog.set_config(…), …]) = N`
 * (with the pre-request function's call when one is configured). One message, one flight: the same
 * as a plain `BEGIN`.
 *
 * @example
 * ```ts
 * await client.query(beginWithClaimsSql(context, { accessMode: 'read only' }))
 * ```
 */
export function beginWithClaimsSql(context: ClaimsContext<unknown>, options?: TransactionOptions): string {
  return `${beginStatement(options)}; ${context.settingsSql}`
}

/**
 * `SELECT current_setting('role') = 'none' AND concat(current_setting(<name>, true), …) = ''`: no
 * aggregate and no FROM, so it is planned at once. `concat` skips the NULLs of settings that were
 * never defined.
 */
function sessionCheckSql(names: readonly string[]): string {
  const read = names.map((name) => `pg_catalog.current_setting(${name}, true)`).join(', ')
  const role = `pg_catalog.current_setting('role') = 'none'`
  return `SELECT ${names.length === 0 ? role : `${role} AND pg_catalog.concat(${read}) = ''`} AS clean`
}

/**
 * The names a session check reads: the claims and request settings pg-claims owns (`request.*`,
 * `jwt.claims.*`), which are `''` outside a transaction unless something set them at session level.
 * Built-in settings (`statement_timeout` …) and other custom names have session values of their own
 * (defaults, `ALTER DATABASE … SET`), so they are not read; `role` is read as itself.
 */
function checkedNames(settings: readonly Setting[]): string[] {
  return settings
    .map(([name]) => name)
    .filter((name) => name.startsWith('request.') || name.startsWith('jwt.claims.'))
}

const checkTexts: string[] = []

/**
 * The statement sent right behind `COMMIT` (same flight) that tells whether the connection left the
 * transaction as it came: no session-level role (`SET ROLE`, `set_config('role', …, false)`) and no
 * session-level value for any setting the transaction wrote. Answers one row, `clean`. A connection
 * that is not clean is destroyed, never lent again.
 *
 * @example
 * ```ts
 * sessionCheckStatement(context.settings) // { text: "SELECT … concat(pg_catalog.current_setting($1, true), …) = '' AS clean", values: ['request.jwt.claims', …] }
 * ```
 */
export function sessionCheckStatement(settings: readonly Setting[]): Statement {
  const names = checkedNames(settings)
  checkTexts[names.length] ??= sessionCheckSql(names.map((_, index) => `$${index + 1}`))
  return { text: checkTexts[names.length] ?? '', values: names }
}

/**
 * `COMMIT` and the session check (see {@link sessionCheckStatement}) as one simple-protocol message,
 * for a connection that does not pipeline.
 *
 * @example
 * ```ts
 * const [commit, check] = await connection.script(commitWithCheckSql(context.settings))
 * ```
 */
export function commitWithCheckSql(settings: readonly Setting[]): string {
  return `${COMMIT}; ${sessionCheckSql(checkedNames(settings).map(quoteLiteral))}`
}
