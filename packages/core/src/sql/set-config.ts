import type { Setting } from '../serialize/settings.js'
import { quoteLiteral } from './literal.js'

/**
 * The settings as SQL text: `SELECT FROM pg_catalog.set_config('role', 'anon', true) s0, …`. Every
 * name and value goes through {@link quoteLiteral}, the one audited escaping path. The calls stand
 * in `FROM`, so the statement answers one row of no columns: the values never travel back (nor
 * fail to convert to a client encoding that cannot spell them).
 *
 * @example
 * ```ts
 * setConfigSql([['role', 'anon']]) // "SELECT FROM pg_catalog.set_config('role', 'anon', true) s0"
 * ```
 */
export function setConfigSql(settings: readonly Setting[]): string {
  return `SELECT FROM ${settings.map(([name, value], index) => `pg_catalog.set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, true) s${index}`).join(', ')}`
}
