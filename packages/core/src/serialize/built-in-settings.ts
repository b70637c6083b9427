/**
 * The PostgreSQL settings (GUCs without a dot) that `settings.extra` and a call's `settings` may
 * set, transaction-locally: these and no others. Each is one a transaction may set for itself
 * (context `user`), changes nothing beyond the transaction, and is one PostgREST and Supabase users
 * set per role or per request.
 *
 * @example
 * ```ts
 * BUILT_IN_SETTINGS.includes('statement_timeout') // true
 * ```
 */
export const BUILT_IN_SETTINGS = [
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'search_path',
  'application_name',
] as const

const TIMEOUT = /^[0-9]{1,10} ?(?:us|ms|s|min|h|d)?$/
const SEARCH_PATH_ITEM = String.raw`(?:[A-Za-z_][A-Za-z0-9_$]*|\$user|"(?:[^"\x00]|"")+")`
const SEARCH_PATH = new RegExp(`^(?:${SEARCH_PATH_ITEM}(?: *, *${SEARCH_PATH_ITEM})*)?$`)

/**
 * Whether `name` is one of {@link BUILT_IN_SETTINGS} (as PostgreSQL compares names: any case).
 *
 * @example
 * ```ts
 * isBuiltInSetting('Statement_Timeout') // true
 * isBuiltInSetting('work_mem') // false
 * ```
 */
export function isBuiltInSetting(name: string): boolean {
  return (BUILT_IN_SETTINGS as readonly string[]).includes(name.toLowerCase())
}

/**
 * What is wrong with `value` for the built-in setting `name`, or `undefined` when PostgreSQL will
 * take it: timeouts are a whole number with an optional unit (`'5s'`, `'250ms'`, `'0'`), a search
 * path is a comma-separated list of plain or double-quoted identifiers, an application name is any
 * text. Checked before anything is sent, so a bad value never aborts a transaction.
 *
 * @example
 * ```ts
 * builtInValueProblem('statement_timeout', '8s') // undefined
 * builtInValueProblem('statement_timeout', 'soon') // 'a whole number with an optional unit (us, ms, s, min, h, d)'
 * ```
 */
export function builtInValueProblem(name: string, value: string): string | undefined {
  const lower = name.toLowerCase()
  if (lower === 'search_path') {
    return SEARCH_PATH.test(value) ? undefined : 'a comma-separated list of identifiers'
  }
  if (lower === 'application_name') return undefined
  return TIMEOUT.test(value) ? undefined : 'a whole number with an optional unit (us, ms, s, min, h, d)'
}
