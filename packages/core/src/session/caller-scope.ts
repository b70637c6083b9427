import type { Claims } from '../claims.js'
import type { CallOptions } from '../serialize/call-context.js'
import type { ClaimsContext } from '../serialize/context.js'

/**
 * One caller, as every adapter's `withClaims(token)` / `withVerifiedClaims(claims)` holds it: the
 * object a reader follows from `withClaims` to the settings a transaction applies.
 *
 * - A token is resolved (verified, through the cache of verified tokens) by every call to
 *   {@link CallerScope.context}, which the engine makes before EVERY transaction and single query,
 *   before a connection is taken. So `exp`, `nbf` and `maxTokenAge` hold for a handle kept for
 *   hours, and a passing failure (a JWKS that was down) is not remembered.
 * - The call's options (`request`, `settings`) and the role's settings (`roleSettings`) are added
 *   then too (`claims.forCall`), so every adapter applies them the same way.
 * - Claims verified elsewhere are checked and copied when the scope is made: bad claims throw at
 *   the `withVerifiedClaims` call, and later changes to the caller's object change nothing.
 *
 * @example
 * ```ts
 * const scope = CallerScope.forToken(claims, token)
 * const context = await scope.context() // verified now; PgClaimsError if the token is bad
 * ```
 */
export class CallerScope<TClaims> {
  readonly #resolve: () => Promise<ClaimsContext<TClaims>>

  private constructor(resolve: () => Promise<ClaimsContext<TClaims>>) {
    this.#resolve = resolve
  }

  /**
   * The caller holding `token`, or the anonymous caller for `null`.
   *
   * @example
   * ```ts
   * const scope = CallerScope.forToken(claims, request.headers.authorization?.slice(7) ?? null)
   * ```
   */
  static forToken<TClaims>(
    claims: Claims<TClaims>,
    token: string | null,
    call?: CallOptions,
  ): CallerScope<TClaims> {
    return new CallerScope(async () => claims.forCall(await claims.resolve(token), call))
  }

  /**
   * A caller whose claims your own auth layer already verified; checked and copied now.
   *
   * @example
   * ```ts
   * const scope = CallerScope.forVerifiedClaims(claims, { sub: session.userId, role: 'authenticated' })
   * ```
   */
  static forVerifiedClaims<TClaims>(
    claims: Claims<TClaims>,
    verified: TClaims,
    call?: CallOptions,
  ): CallerScope<TClaims> {
    const context = claims.resolveVerified(verified)
    return new CallerScope(() => claims.forCall(context, call))
  }

  /**
   * The caller's claims, role and settings, resolved now (a token through the cache). Rejects with
   * a `PgClaimsError` for a bad token.
   *
   * @example
   * ```ts
   * const { role, claims } = await scope.context()
   * ```
   */
  context(): Promise<ClaimsContext<TClaims>> {
    return this.#resolve()
  }
}
