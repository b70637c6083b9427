import type { Setting } from '../serialize/settings.js'
import { quoteLiteral } from './literal.js'

/**
 * The statement that applies settings: the `set_config` calls as the elements of ONE array in the
 * `WHERE` clause of a `SELECT` without `FROM`. PostgreSQL plans that as a single Result node whose
 * one-time filter builds the array element by element, in order, before any output column is
 * computed: no function scan storing each call's value in a tuplestore (`ROWS FROM (…)` took about
 * 110 µs of planning and execution at six settings where this takes about 30 µs, measured side by
 * side), no join of N relations to plan (separate `FROM` items: about 2 ms at 8 settings, 20 ms at
 * 24), and no limit on the number of settings (a function call takes at most 100 arguments).
 *
 * The condition compares the array's `cardinality` with the number of calls, so it always holds,
 * and the planner cannot decide it without running the calls: a test such as `ARRAY[…] IS NOT
 * NULL` is one a planner may prove true and fold away (PostgreSQL already folds `IS NOT NULL` on
 * columns it knows are not null), which would skip every `set_config`. Without `then` the statement
 * answers one row of no columns, so the values never travel back (nor fail to convert to a client
 * encoding that cannot spell them). `then` (the pre-request function's call) is the one output
 * column: PostgreSQL computes it only once the filter passed, so it runs after every setting is in
 * place, as the role just set (its EXECUTE privilege is checked when the statement starts, for the
 * login role).
 *
 * @example
 * ```ts
 * applySettingsSql(["pg_catalog.set_config('role', 'anon', true)"], '"api"."check"()')
 * // `SELECT "api"."check"() WHERE
 * //   pg_catalog.cardinality(ARRAY[pg_catalog.set_config('role', 'anon', true)]) = 1`
 * ```
 */
export function applySettingsSql(setConfigCalls: readonly string[], then: string | undefined): string {
  const array = `ARRAY[${setConfigCalls.join(', ')}]`
  return `SELECT ${then === undefined ? '' : `${then} `}WHERE pg_catalog.cardinality(${array}) = ${setConfigCalls.length}`
}

/**
 * The settings as SQL text (see {@link applySettingsSql}): `SELECT WHERE
 * pg_catalog.cardinality(ARRAY[pg_catalog.set_config('role', 'anon', true), …]) = N`, with the
 * pre-request function's call as its column when one is given. Every name and value goes through
 * {@link quoteLiteral}, the one audited escaping path.
 *
 * @example
 * ```ts
 * setConfigSql([['role', 'anon']])
 * // "SELECT WHERE pg_catalog.cardinality(ARRAY[pg_catalog.set_config('role', 'anon', true)]) = 1"
 * ```
 */
export function setConfigSql(settings: readonly Setting[], preRequestCall?: string): string {
  return applySettingsSql(
    settings.map(
      ([name, value]) => `pg_catalog.set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, true)`,
    ),
    preRequestCall,
  )
}
