import type { JWTPayload } from 'jose'
import type { Setting } from './settings.js'

/**
 * Everything one caller's transactions need, computed once per token (and cached with it): the
 * claims, the role and the ordered settings. How they reach PostgreSQL is the session's business
 * (`session/statements.ts`).
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
  /**
   * One `SELECT WHERE pg_catalog.cardinality(ARRAY[pg_catalog.set_config(…, true), …]) = N`
   * statement applying every setting as SQL text, then calling the `preRequest` function when one
   * is configured, for a connection that cannot take bind parameters in the message that opens the
   * transaction. Values are written by `quoteLiteral`, which keeps the text pure ASCII.
   */
  readonly settingsSql: string
  /**
   * The call of the `preRequest` function (`"api"."check_request"()`), which the settings
   * statement makes right after the settings; absent when none is configured.
   */
  readonly preRequestCall?: string | undefined
}
