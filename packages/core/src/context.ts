import type { JWTPayload } from 'jose'
import { beginStatement, type TransactionOptions } from './apply/transaction-options.js'
import type { Setting } from './serialize/settings.js'
import { quoteLiteral } from './sql/literal.js'

/**
 * Everything one caller's transactions need, computed once per token (and cached with it):
 * the claims, the role, the ordered settings, and the SQL that applies them.
 *
 * @example
 * ```ts
 * const context = await claims.resolve(token)
 * context.role // 'authenticated'
 * context.settings // [['role', 'authenticated'], ['request.jwt.claims', '{…}'], …]
 * ```
 */
export interface ClaimsContext<TClaims> {
  /** The typed claims (the schema's output), or `null` for an anonymous caller. */
  readonly claims: TClaims | null
  /** The claims set as signed, or `null` for an anonymous caller. */
  readonly payload: Readonly<JWTPayload> | null
  /** The role the transaction switches to, or `null` when role switching is off. */
  readonly role: string | null
  /** The settings, in the order they are applied. */
  readonly settings: readonly Setting[]
  /** One `SELECT set_config(…, true), …` statement applying every setting, transaction-locally. */
  readonly settingsSql: string
}

/**
 * Builds the one statement that applies settings transaction-locally. Names and values reach SQL
 * only through {@link quoteLiteral}.
 *
 * @example
 * ```ts
 * setConfigSql([['role', 'anon']]) // "SELECT set_config('role', 'anon', true)"
 * ```
 */
export function setConfigSql(settings: readonly Setting[]): string {
  return `SELECT ${settings.map(([name, value]) => `set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, true)`).join(', ')}`
}

/**
 * The single simple-query message that opens a claims transaction: `BEGIN …; SELECT set_config(…)`.
 * Sent as one message it costs one round trip, the same as a plain `BEGIN`.
 *
 * @example
 * ```ts
 * await client.query(beginWithClaimsSql(context, { accessMode: 'read only' }))
 * ```
 */
export function beginWithClaimsSql(context: ClaimsContext<unknown>, options?: TransactionOptions): string {
  return `${beginStatement(options)}; ${context.settingsSql}`
}
