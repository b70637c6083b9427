import type { Setting } from '../serialize/settings.js'
import { quoteLiteral } from './literal.js'

/**
 * The settings as SQL text: `SELECT pg_catalog.set_config('role', 'anon', true), …`, the calls in the
 * select list (as PostgREST writes them: planned at once, unlike calls in `FROM`, which the planner
 * would join). Every name and value goes through {@link quoteLiteral}, the one audited escaping path.
 *
 * @example
 * ```ts
 * setConfigSql([['role', 'anon']]) // "SELECT pg_catalog.set_config('role', 'anon', true)"
 * ```
 */
export function setConfigSql(settings: readonly Setting[]): string {
  return `SELECT ${settings.map(([name, value]) => `pg_catalog.set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, true)`).join(', ')}`
}
